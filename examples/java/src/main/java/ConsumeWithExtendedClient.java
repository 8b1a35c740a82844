// Reading the pipeline's messages from Java with the Amazon SQS Extended Client Library
// (com.amazonaws:amazon-sqs-java-extended-client-lib, AWS SDK for Java 2.x). The library reads our offloaded mail
// unchanged: the body is its own payload pointer and ExtendedPayloadSize its own attribute, so receiveMessage returns
// the MIME in place of the pointer. PayloadGuard checks each pointer before the library follows it; this class then
// checks ContentLength and ContentSha256 (docs/CONTRACT.md) and writes <OUT_DIR>/<SesMessageId>.eml.
//
// Usage: QUEUE_URL=... PAYLOAD_BUCKET=... java -cp ... ConsumeWithExtendedClient [OUT_DIR]
// (the stack outputs <construct id>OutputQueueUrl and <construct id>PayloadBucketName: InboundMailOutputQueueUrl and
// InboundMailPayloadBucketName for the construct id InboundMail). Credentials: the SDK's default chain. Region:
// AWS_REGION, else AWS_DEFAULT_REGION, else the SDK's chain (profile), else the queue URL's host.
// One JSON line per mail on stdout; a refused message is reported as {"refused":"<code>"} on stderr and left on the
// queue (after five receives it moves to the dead-letter queue), and the exit status is then 1.
import com.amazon.sqs.javamessaging.AmazonSQSExtendedClient;
import com.amazon.sqs.javamessaging.ExtendedClientConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

public final class ConsumeWithExtendedClient {
  private static final Pattern QUEUE_URL_REGION = Pattern.compile("^https://sqs[.-]([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?/");

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println("Usage: QUEUE_URL=... PAYLOAD_BUCKET=... java -cp ... ConsumeWithExtendedClient [OUT_DIR]");
      return;
    }
    String queueUrl = System.getenv("QUEUE_URL");
    String payloadBucket = System.getenv("PAYLOAD_BUCKET");
    if (queueUrl == null || queueUrl.isEmpty() || payloadBucket == null || payloadBucket.isEmpty()) {
      System.err.println("set QUEUE_URL and PAYLOAD_BUCKET to the stack outputs InboundMailOutputQueueUrl and"
          + " InboundMailPayloadBucketName (<construct id>OutputQueueUrl, <construct id>PayloadBucketName)");
      System.exit(2);
    }
    String outDir = args.length > 0 ? args[0] : null;
    if (outDir != null) {
      Files.createDirectories(Path.of(outDir));
    }
    Region region = region(queueUrl);
    PayloadGuard guard = new PayloadGuard(payloadBucket);
    // Path-style addressing for a local S3 endpoint (AWS_ENDPOINT_URL_S3, read by the SDK); the default elsewhere.
    S3Client s3 = S3Client.builder().region(region).forcePathStyle(System.getenv("AWS_ENDPOINT_URL_S3") != null)
        .overrideConfiguration(c -> c.addExecutionInterceptor(guard)).build();
    SqsClient raw = SqsClient.builder().region(region)
        .overrideConfiguration(c -> c.addExecutionInterceptor(guard)).build();
    // false: deleting a message leaves its payload to the bucket's lifecycle rule (the pipeline's payloads expire).
    SqsClient sqs = new AmazonSQSExtendedClient(
        raw, new ExtendedClientConfiguration().withPayloadSupportEnabled(s3, payloadBucket, false));
    System.exit(consume(sqs, guard, queueUrl, outDir));
  }

  /** Reads until the queue is empty; 0 when every message was delivered, 1 when any was refused. */
  static int consume(SqsClient sqs, PayloadGuard guard, String queueUrl, String outDir) throws Exception {
    int status = 0;
    ReceiveMessageRequest request = ReceiveMessageRequest.builder().queueUrl(queueUrl).maxNumberOfMessages(10)
        .waitTimeSeconds(1).messageAttributeNames("All").build();
    while (true) {
      List<Message> messages;
      guard.nextAnswer();
      try {
        messages = sqs.receiveMessage(request).messages();
      } catch (RuntimeException error) {
        // An object the S3 side of the guard refused (thrown as is, or wrapped by the SDK or the library): this
        // answer's messages come back after their visibility timeout.
        Refused refused = Refused.in(error);
        if (refused == null) {
          refused = unreadablePayload(error);
        }
        if (refused == null) {
          throw error;
        }
        guard.refusals.add(refused.code);
        messages = List.of();
      }
      boolean refusedAny = !guard.refusals.isEmpty();
      for (String code; (code = guard.refusals.poll()) != null; status = 1) {
        System.err.println("{\"refused\":\"" + code + "\"}");
      }
      if (messages.isEmpty() && !refusedAny) {
        return status;
      }
      for (Message message : messages) {
        try {
          byte[] mime = readMail(message, guard.offloaded(message));
          String id = attribute(message, "SesMessageId");
          Path file = outDir == null ? null : MailFile.path(outDir, id);
          if (outDir != null && file == null) {
            throw new Refused("UNSAFE_MESSAGE_ID", "SES message id is not a plain file name");
          }
          if (file != null) {
            Files.write(file, mime);
          }
          System.out.println("{\"sesMessageId\":" + jsonString(id) + ",\"delivery\":\""
              + (guard.offloaded(message) ? "offloaded" : "inline") + "\",\"bytes\":" + mime.length + "}");
          sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
        } catch (Refused refused) {
          // The code only: never the id, addresses or content. The message stays on the queue.
          System.err.println("{\"refused\":\"" + refused.code + "\"}");
          status = 1;
        }
      }
    }
  }

  /** S3's answers that no retry changes: no payload there (forged, or past its lifetime), or not the caller's to read. */
  static final Set<String> UNREADABLE = Set.of("NoSuchKey", "NotFound", "NoSuchBucket", "AccessDenied", "Forbidden");

  /**
   * PAYLOAD_UNREADABLE when the library's payload fetch failed with one of UNREADABLE (or a 403/404 S3 named nothing
   * for), else null: the answer's messages come back after their visibility timeout, instead of the program stopping.
   */
  static Refused unreadablePayload(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof S3Exception s3 && (s3.statusCode() == 403 || s3.statusCode() == 404)) {
        String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
        if (code == null || code.isEmpty() || UNREADABLE.contains(code)) {
          return new Refused("PAYLOAD_UNREADABLE", "payload object could not be read");
        }
      }
    }
    return null;
  }

  /** The exact MIME bytes of a message the library returned, checked against ContentLength and ContentSha256. */
  static byte[] readMail(Message message, boolean offloaded) throws Exception {
    String sha256 = attribute(message, "ContentSha256");
    if (sha256 == null) {
      throw new Refused("MESSAGE_MALFORMED", "message has no ContentSha256 attribute");
    }
    String lengthText = attribute(message, "ContentLength");
    if (lengthText == null) {
      throw new Refused("MESSAGE_MALFORMED", "message has no ContentLength attribute");
    }
    long length = PayloadGuard.wholeNumber(lengthText, "ContentLength");
    if (length > PayloadGuard.MAX_BYTES) {
      throw new Refused("TOO_LARGE", "mail is announced over the limit of " + PayloadGuard.MAX_BYTES + " bytes");
    }
    String encoding = offloaded ? "identity" : attribute(message, "ContentEncoding");
    byte[] mime;
    if (encoding == null || encoding.equals("identity")) {
      // The library reads an offloaded payload as UTF-8 text: a mail that is not valid UTF-8 does not survive that
      // byte for byte and is refused below (SHA256_MISMATCH). The pipeline offloads only by size, so read such
      // payloads from S3 yourself: the pointer in the raw message body names the object.
      mime = message.body().getBytes(StandardCharsets.UTF_8);
    } else if (encoding.equals("base64")) {
      try {
        mime = Base64.getDecoder().decode(message.body());
      } catch (IllegalArgumentException notBase64) {
        throw new Refused("MESSAGE_MALFORMED", "body is not base64");
      }
    } else {
      throw new Refused("MESSAGE_MALFORMED", "unknown ContentEncoding");
    }
    if (mime.length != length) {
      throw new Refused("LENGTH_MISMATCH", "mail length differs from ContentLength");
    }
    if (!HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(mime)).equals(sha256)) {
      throw new Refused("SHA256_MISMATCH", "mail does not match ContentSha256");
    }
    return mime;
  }

  static String attribute(Message message, String name) {
    MessageAttributeValue value = message.messageAttributes().get(name);
    return value == null ? null : value.stringValue();
  }

  /** AWS_REGION, AWS_DEFAULT_REGION, the SDK's chain (profile), then the region in the queue URL's host. */
  static Region region(String queueUrl) {
    for (String name : List.of("AWS_REGION", "AWS_DEFAULT_REGION")) {
      String value = System.getenv(name);
      if (value != null && !value.isEmpty()) {
        return Region.of(value);
      }
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkException none) {
      Matcher match = QUEUE_URL_REGION.matcher(queueUrl);
      if (match.find()) {
        return Region.of(match.group(1));
      }
      throw new IllegalStateException("no region: set AWS_REGION (the queue URL names none)");
    }
  }

  static String jsonString(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return out.append('"').toString();
  }
}
