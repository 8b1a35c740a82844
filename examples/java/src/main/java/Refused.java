/** A message this consumer will not deliver: {@code code} is stable (docs/CONTRACT.md), the text names no content. */
final class Refused extends RuntimeException {
  final String code;

  Refused(String code, String text) {
    super(text, null, false, false);
    this.code = code;
  }

  /** The Refused in an exception's causes (the SDK wraps what an interceptor throws), or null. */
  static Refused in(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof Refused refused) {
        return refused;
      }
    }
    return null;
  }
}
