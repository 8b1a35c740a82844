"""The README's ten-line stack in Python, on the locally built binding (scripts/test-bindings.sh builds and runs it)."""
import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from ses_encrypted_inbound import EncryptedInboundMail

app = cdk.App()
stack = cdk.Stack(app, "MyMail", env=cdk.Environment(account="111122223333", region="eu-west-1"))
mail = EncryptedInboundMail(stack, "InboundMail", recipients=["inbox@mail.example.org"])
consumer = iam.Role(stack, "Consumer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
mail.grant_consume(consumer)
app.synth()
