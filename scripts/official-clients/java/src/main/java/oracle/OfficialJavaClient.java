package oracle;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.encryption.s3.CommitmentPolicy;
import software.amazon.encryption.s3.S3EncryptionClient;
import software.amazon.encryption.s3.algorithms.AlgorithmSuite;
import software.amazon.encryption.s3.materials.KmsKeyring;

/**
 * Drives AWS's official S3 Encryption Client for Java (pom.xml) for the project's oracle checks, against the endpoints
 * in AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_KMS (127.0.0.1 only). Arguments: BUCKET KMS_KEY_ARN. One job per line on
 * standard input, tab-separated, the context as name=value pairs joined by '&' (or '-' for none):
 *   put KEY PLAINTEXT_PATH v2|v3 CONTEXT
 *   get KEY OUTPUT_PATH allow|require CONTEXT
 * One line per job on standard output: "ok", or "refused ExceptionClass" (nothing written).
 */
public final class OfficialJavaClient {
  private OfficialJavaClient() {}

  public static void main(String[] args) throws Exception {
    String bucket = args[0];
    String keyArn = args[1];
    URI s3Endpoint = localEndpoint("AWS_ENDPOINT_URL_S3");
    URI kmsEndpoint = localEndpoint("AWS_ENDPOINT_URL_KMS");
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    KmsClient kms =
        KmsClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials).endpointOverride(kmsEndpoint).build();
    KmsKeyring keyring = KmsKeyring.builder().kmsClient(kms).wrappingKeyId(keyArn).build();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isEmpty()) continue;
      String[] job = line.split("\t", -1);
      Map<String, String> context = context(job[4]);
      if (job[0].equals("put")) {
        boolean v2 = job[3].equals("v2");
        try (S3EncryptionClient client = client(keyring, credentials, s3Endpoint,
            v2 ? AlgorithmSuite.ALG_AES_256_GCM_IV12_TAG16_NO_KDF : AlgorithmSuite.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
            v2 ? CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT : CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)) {
          client.putObject(
              PutObjectRequest.builder().bucket(bucket).key(job[1])
                  .overrideConfiguration(S3EncryptionClient.withAdditionalConfiguration(context)).build(),
              RequestBody.fromBytes(Files.readAllBytes(Paths.get(job[2]))));
        }
        System.out.println("ok");
      } else {
        CommitmentPolicy policy = job[3].equals("require")
            ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
            : CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT;
        try (S3EncryptionClient client = client(keyring, credentials, s3Endpoint,
            AlgorithmSuite.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, policy)) {
          ResponseBytes<GetObjectResponse> plaintext = client.getObject(
              GetObjectRequest.builder().bucket(bucket).key(job[1])
                  .overrideConfiguration(S3EncryptionClient.withAdditionalConfiguration(context)).build(),
              ResponseTransformer.toBytes());
          Files.write(Paths.get(job[2]), plaintext.asByteArray());
          System.out.println("ok");
        } catch (RuntimeException refused) {
          System.out.println("refused " + refused.getClass().getSimpleName());
        }
      }
    }
    kms.close();
  }

  private static S3EncryptionClient client(KmsKeyring keyring, StaticCredentialsProvider credentials, URI endpoint,
      AlgorithmSuite algorithm, CommitmentPolicy policy) {
    // moto's server answers `Expect: 100-continue` in a way the SDK's HTTP clients take for a final status 100, so
    // the wrapped clients leave that header out; everything else is the SDK's default.
    ExecutionInterceptor noExpectContinue = new ExecutionInterceptor() {
      @Override
      public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest request, ExecutionAttributes attributes) {
        return request.httpRequest().toBuilder().removeHeader("Expect").build();
      }
    };
    S3Client s3 = S3Client.builder().region(Region.US_EAST_1).credentialsProvider(credentials).endpointOverride(endpoint)
        .forcePathStyle(true).overrideConfiguration(o -> o.addExecutionInterceptor(noExpectContinue)).build();
    S3AsyncClient s3Async = S3AsyncClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials)
        .endpointOverride(endpoint).forcePathStyle(true)
        .overrideConfiguration(o -> o.addExecutionInterceptor(noExpectContinue)).build();
    return S3EncryptionClient.builderV4()
        .keyring(keyring)
        .encryptionAlgorithm(algorithm)
        .commitmentPolicy(policy)
        .wrappedClient(s3)
        .wrappedAsyncClient(s3Async)
        .build();
  }

  private static Map<String, String> context(String field) {
    Map<String, String> context = new LinkedHashMap<>();
    if (!field.equals("-")) {
      for (String pair : field.split("&")) {
        int at = pair.indexOf('=');
        context.put(pair.substring(0, at), pair.substring(at + 1));
      }
    }
    return context;
  }

  private static URI localEndpoint(String name) {
    String value = System.getenv(name);
    if (value == null || !value.startsWith("http://127.0.0.1:")) {
      throw new IllegalArgumentException(name + " must point at a local endpoint (http://127.0.0.1:PORT)");
    }
    return URI.create(value);
  }
}
