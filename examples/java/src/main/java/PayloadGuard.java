import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.payloadoffloading.PayloadS3Pointer;

/**
 * What the Extended Client Library does not check, checked before it fetches anything (docs/CONTRACT.md): it follows
 * whatever bucket and key a pointer names and reads the whole object. On the SQS client this interceptor takes each
 * offloaded message out of ReceiveMessage's answer before the library sees it unless its pointer names the payload
 * bucket and a key under payloads/ followed by a plain name, and its announced size is at most MAX_BYTES and equals
 * ContentLength; a message taken out is left on the queue and its refusal code queued for the caller. On the S3
 * client it refuses a GetObject of any other bucket or key, an object whose Content-Length is not the announced size,
 * and reads no byte past it.
 */
final class PayloadGuard implements ExecutionInterceptor {
  static final long MAX_BYTES = 41_943_040L;
  static final String PAYLOAD_PREFIX = "payloads/";
  static final String POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer";
  /** The library reads this older class name as POINTER_CLASS; so does the guard. */
  static final String LEGACY_POINTER_CLASS = "com.amazon.sqs.javamessaging.MessageS3Pointer";
  static final Pattern PAYLOAD_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,511}");
  static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,15}");
  static final List<String> SIZE_ATTRIBUTES = List.of("ExtendedPayloadSize", "SQSLargePayloadSize");

  private final String payloadBucket;
  /** Refusal codes of messages taken out of an answer, for the caller to report. */
  final ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
  /** Offloaded messages of the current answer let through, by SQS message id: their payload key. */
  private final Map<String, String> offloadedMessages = new ConcurrentHashMap<>();
  /** Payload keys of the current answer let through: their announced size. */
  private final Map<String, Long> payloadKeys = new ConcurrentHashMap<>();

  PayloadGuard(String payloadBucket) {
    this.payloadBucket = payloadBucket;
  }

  /** Whether the library fetched this message's body from the payload bucket. */
  boolean offloaded(Message message) {
    return offloadedMessages.containsKey(message.messageId());
  }

  /**
   * Drops what the guard holds of the last answer, before the next receive: the library fetched its payloads inside
   * that receive, and its messages are handled by now, so a long-running consumer holds only the current answer's
   * (a receive that failed included).
   */
  void nextAnswer() {
    offloadedMessages.clear();
    payloadKeys.clear();
  }

  @Override
  public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
    if (!(context.response() instanceof ReceiveMessageResponse response)) {
      return context.response();
    }
    List<Message> kept = new ArrayList<>();
    for (Message message : response.messages()) {
      try {
        Long size = announcedSize(message);
        if (size != null) {
          String key = checkPointer(message.body());
          offloadedMessages.put(message.messageId(), key);
          payloadKeys.put(key, size);
        }
        kept.add(message);
      } catch (Refused refused) {
        refusals.add(refused.code);
      }
    }
    return response.toBuilder().messages(kept).build();
  }

  /** The announced payload size, or null for a message that is not offloaded. */
  private static Long announcedSize(Message message) {
    Map<String, MessageAttributeValue> attributes = message.messageAttributes();
    String name = SIZE_ATTRIBUTES.stream().filter(attributes::containsKey).findFirst().orElse(null);
    if (name == null) {
      return null;
    }
    long size = wholeNumber(attributes.get(name).stringValue(), name);
    if (size > MAX_BYTES) {
      throw new Refused("TOO_LARGE", "mail is announced over the limit of " + MAX_BYTES + " bytes");
    }
    MessageAttributeValue length = attributes.get("ContentLength");
    if (length != null && wholeNumber(length.stringValue(), "ContentLength") != size) {
      throw new Refused("LENGTH_MISMATCH", name + " is not ContentLength");
    }
    return size;
  }

  static long wholeNumber(String value, String name) {
    if (value == null || !WHOLE_NUMBER.matcher(value).matches()) {
      throw new Refused("MESSAGE_MALFORMED", name + " is not a whole number");
    }
    return Long.parseLong(value);
  }

  /** The pointer's key, read by the library's own parser (so the guard sees what the library would fetch). */
  private String checkPointer(String body) {
    PayloadS3Pointer pointer;
    try {
      String text = body.replace(LEGACY_POINTER_CLASS, POINTER_CLASS);
      pointer = text.startsWith("[\"" + POINTER_CLASS + "\",") ? PayloadS3Pointer.fromJson(text) : null;
    } catch (RuntimeException malformed) {
      pointer = null;
    }
    if (pointer == null) {
      throw new Refused("MESSAGE_MALFORMED", "offloaded message without a payload pointer");
    }
    if (!payloadBucket.equals(pointer.getS3BucketName())) {
      throw new Refused("POINTER_BUCKET_REFUSED", "pointer names a bucket other than the payload bucket");
    }
    String key = pointer.getS3Key();
    if (key == null
        || !key.startsWith(PAYLOAD_PREFIX)
        || !PAYLOAD_NAME.matcher(key.substring(PAYLOAD_PREFIX.length())).matches()) {
      throw new Refused("POINTER_KEY_REFUSED", "pointer key is not the payload prefix followed by a name");
    }
    return key;
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    SdkRequest request = context.request();
    if (request instanceof GetObjectRequest get
        && !(payloadBucket.equals(get.bucket()) && payloadKeys.containsKey(get.key()))) {
      throw new Refused("POINTER_KEY_REFUSED", "GetObject of an object no checked pointer names");
    }
  }

  @Override
  public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    if (context.request() instanceof GetObjectRequest get && context.httpResponse().isSuccessful()) {
      long expected = payloadKeys.get(get.key());
      Optional<String> length = context.httpResponse().firstMatchingHeader("Content-Length");
      if (length.isEmpty() || !WHOLE_NUMBER.matcher(length.get()).matches() || Long.parseLong(length.get()) != expected) {
        throw new Refused("LENGTH_MISMATCH", "payload object's Content-Length is not the announced size");
      }
    }
    return context.httpResponse();
  }

  @Override
  public Optional<InputStream> modifyHttpResponseContent(
      Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    Optional<InputStream> content = context.responseBody();
    if (!(context.request() instanceof GetObjectRequest get) || content.isEmpty()) {
      return content;
    }
    return Optional.of(new Bounded(content.get(), payloadKeys.get(get.key())));
  }

  /** A stream that fails as soon as it runs past {@code limit} bytes. */
  private static final class Bounded extends FilterInputStream {
    private long left;

    Bounded(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && --left < 0) {
        throw new IOException("payload runs past the announced size");
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0 && (left -= n) < 0) {
        throw new IOException("payload runs past the announced size");
      }
      return n;
    }
  }
}
