import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Where a mail is written: {@code <outDir>/<id>.eml}, only for a plain id and only directly in outDir (which must exist). */
public final class MailFile {
  /** Letters, digits, '.', '_' and '-', not starting with '.', at most 128 characters (SES's ids are letters and digits). */
  static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

  private MailFile() {}

  /** The file for this SES message id, or null when the id is not a plain name or the path would leave outDir. */
  public static Path path(String outDir, String sesMessageId) throws IOException {
    if (sesMessageId == null || !PLAIN_NAME.matcher(sesMessageId).matches()) {
      return null;
    }
    Path folder = Path.of(outDir).toRealPath();
    Path file = folder.resolve(sesMessageId + ".eml").normalize();
    return folder.equals(file.getParent()) ? file : null;
  }
}
