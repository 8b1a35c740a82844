package example.bindings;

import io.github.sesencryptedinbound.EncryptedInboundMail;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

/**
 * The README's ten-line stack in Java, on the locally built binding (scripts/test-bindings.sh builds and runs it; the
 * App writes to CDK_OUTDIR). The same stack as test/bindings/python-app/app.py, checked by the same script.
 */
public final class MyMailApp {
    private MyMailApp() {
    }

    public static void main(final String[] args) {
        App app = new App();
        Stack stack = new Stack(app, "MyMail", StackProps.builder()
                .env(Environment.builder().account("111122223333").region("eu-west-1").build())
                .build());
        EncryptedInboundMail mail = EncryptedInboundMail.Builder.create(stack, "InboundMail")
                .recipients(List.of("inbox@mail.example.org")).build();
        Role consumer = Role.Builder.create(stack, "Consumer")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com")).build();
        mail.grantConsume(consumer);
        app.synth();
    }
}
