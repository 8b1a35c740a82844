// Reading the pipeline's messages from Java with the Amazon SQS Extended Client Library
// (software.amazon.payloadoffloading / com.amazon.sqs.javamessaging, with AWS SDK for Java 2.x). The library reads
// our offloaded mail unchanged: the body is its own payload pointer and ExtendedPayloadSize its own attribute, so
// receiveMessage returns the MIME in place of the pointer. Check ContentSha256 (and decode ContentEncoding=base64)
// as docs/CONTRACT.md says. Not built or run here (no JVM toolchain in this project); the pointer it expects is
// checked against ours by test/integration/consumers.test.ts, from EXAMPLE_POINTER below.
import com.amazon.sqs.javamessaging.AmazonSQSExtendedClient;
import com.amazon.sqs.javamessaging.ExtendedClientConfiguration;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

public final class ConsumeWithExtendedClient {
  /** A pointer body as the library's PayloadS3Pointer serializes it (and as the decrypt function writes it). */
  static final String EXAMPLE_POINTER =
      "[\"software.amazon.payloadoffloading.PayloadS3Pointer\",{\"s3BucketName\":\"payload-bucket\",\"s3Key\":\"payloads/0123abcd\"}]";

  public static void main(String[] args) throws Exception {
    String queueUrl = System.getenv("QUEUE_URL");
    String payloadBucket = System.getenv("PAYLOAD_BUCKET");
    SqsClient sqs =
        new AmazonSQSExtendedClient(
            SqsClient.create(),
            new ExtendedClientConfiguration().withPayloadSupportEnabled(S3Client.create(), payloadBucket));
    for (Message message :
        sqs.receiveMessage(
                ReceiveMessageRequest.builder()
                    .queueUrl(queueUrl)
                    .maxNumberOfMessages(10)
                    .messageAttributeNames("All")
                    .build())
            .messages()) {
      String body = message.body();
      String encoding = message.messageAttributes().get("ContentEncoding").stringValue();
      // The library reads an offloaded payload as UTF-8 text: a mail that is not valid UTF-8 does not survive that
      // byte for byte (the SHA-256 check below then fails). Read such payloads from S3 yourself: the pointer in the
      // raw message body names the object.
      byte[] mime =
          "base64".equals(encoding) ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
      String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(mime));
      if (!sha256.equals(message.messageAttributes().get("ContentSha256").stringValue())) {
        throw new IllegalStateException("mail does not match ContentSha256");
      }
      System.out.println(message.messageAttributes().get("SesMessageId").stringValue() + " " + mime.length + " bytes");
    }
  }
}
