"""Checks the template a binding's app synthesized (python-app/app.py, java-app's MyMailApp): the receipt rule, the five
queues, both functions from the bundles the package ships, and the consumer role's grant (receive, never send; decrypt,
never generate data keys). Usage: check_template.py <MyMail.template.json> <binding name>."""
import json
import sys

template = json.load(open(sys.argv[1]))
binding = sys.argv[2]
resources = template["Resources"].values()
types = [r["Type"] for r in resources]
assert types.count("AWS::SES::ReceiptRule") == 1, "one receipt rule"
assert types.count("AWS::SQS::Queue") == 5, "output, its dead-letter, failure, work and its dead-letter queues"
assert types.count("AWS::Lambda::EventSourceMapping") == 1, "the work queue triggers the decrypt function"
bundled = [r for r in resources if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler") == "index.handler"]
assert len(bundled) >= 2, "the decrypt function and the verdict gate, from the shipped bundles"
consumer = [
    r for r in resources
    if r["Type"] == "AWS::IAM::Policy" and any(role.get("Ref", "").startswith("Consumer") for role in r["Properties"]["Roles"])
]
actions = set()
for policy in consumer:
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        action = statement["Action"]
        actions.update(action if isinstance(action, list) else [action])
assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "s3:GetObject", "kms:Decrypt"} <= actions, actions
assert not {"sqs:SendMessage", "kms:GenerateDataKey"} & actions, actions
print(f"{binding} binding: rule, queues, bundled functions and grantConsume present")
