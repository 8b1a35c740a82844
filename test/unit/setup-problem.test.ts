/** The CLI names the operator's own set-up as the cause (exit 4) for refused credentials, no region, and denied access. */
import { describeSetupProblem } from '../../cli/setup-problem';
import { IntegrityError, KeyUnwrapError } from '../../lambda/reader/errors';

const named = (name: string) => Object.assign(new Error('Access Denied'), { name });

it.each(['AccessDenied', 'AccessDeniedException', 'Forbidden'])(
  'AWS refusing the request itself (%s) is the role, not the object: says so',
  (name) => {
    expect(describeSetupProblem(named(name))).toMatch(/^AWS denied access \(\w+\): your role lacks a permission/);
  },
);

it('a refusal of one object (a reason code) stays a refusal, whatever its cause', () => {
  expect(
    describeSetupProblem(
      new KeyUnwrapError('KMS_ACCESS_DENIED', 'KMS refused', { cause: named('AccessDeniedException') }),
    ),
  ).toBeUndefined();
  expect(describeSetupProblem(new IntegrityError('AUTHENTICATION_FAILED', 'tag'))).toBeUndefined();
  expect(describeSetupProblem(named('NoSuchKey'))).toBeUndefined();
});
