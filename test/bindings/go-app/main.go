// The README's ten-line stack in Go, on the locally built binding (scripts/test-bindings.sh builds and runs it; the
// App writes to CDK_OUTDIR). The same stack as ../python-app/app.py, checked by the same script.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/ses-encrypted-inbound/ses-encrypted-inbound-go/sesencryptedinbound"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("MyMail"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})
	mail := sesencryptedinbound.NewEncryptedInboundMail(stack, jsii.String("InboundMail"), &sesencryptedinbound.EncryptedInboundMailProps{
		Recipients: jsii.Strings("inbox@mail.example.org"),
	})
	consumer := awsiam.NewRole(stack, jsii.String("Consumer"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	mail.GrantConsume(consumer)
	app.Synth(nil)
}
