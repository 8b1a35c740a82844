/** parse_mail of the Python consumer example (examples/python/consume.py) for `npm run test:consumers`. */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { sameJson } from './python-example';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'python', 'consume.py');

/**
 * The example's parse_mail (the email package) over local/sample-mail.eml, whose fields and CSV bytes are read off
 * the file, and over damaged mail, which it must refuse by code.
 */
export function parseChecks(python: string): string[] {
  const sample = join(__dirname, '..', '..', 'local', 'sample-mail.eml');
  const csv = Buffer.from('cXVhcnRlcixyZXZlbnVlCjEsMTAwCjIsMTIwCjMsMTQ1CjQsMTYwCg==', 'base64');
  const probe = spawnSync(
    python,
    [
      '-c',
      'import json, sys; sys.path.insert(0, sys.argv[1]); import consume\n' +
        'm = consume.parse_mail(open(sys.argv[2], "rb").read())\n' +
        'out = {k: m[k] for k in ("from", "subject", "messageId")} | {"date": m["date"].isoformat(), ' +
        '"html": m["html"], "attachments": [[a["filename"], a["contentType"], a["content"].hex()] for a in m["attachments"]]}\n' +
        'out["refused"] = [consume.mail_summary(b).get("refused") for b in (b"", b"\\r\\nno headers", bytes(range(256)) * 16,\n' +
        '  b"From : ceo@victim.example\\r\\nFrom: me@attacker.example\\r\\n\\r\\nx",\n' +
        '  b"From: ceo@victim.example <me@attacker.example>\\r\\n\\r\\nx",\n' +
        '  b"From: " + b",".join([b\'"a"\'] * 10000) + b"\\r\\n\\r\\nx",\n' +
        '  b"From: a@example.org\\r\\nSubject: " + b"=?utf-8?q?a?= " * 50000 + b"\\r\\n\\r\\nx",\n' +
        '  b"From: a@example.org\\r\\nContent-Type: multipart/mixed; boundary=b\\r\\n\\r\\n" + b"--b\\n\\n" * 52000,\n' +
        '  b"X-A: 1\\rFrom: ceo@victim.example\\r\\r\\nFrom: me@attacker.example\\r\\n\\r\\nx")]\n' +
        'inner = b"From: b@example.org\\r\\nSubject: " + b"=?utf-8?q?a?= " * 40000 + b"\\r\\n\\r\\ninner body\\r\\n"\n' +
        'wrapped = consume.parse_mail(b"From: a@example.org\\r\\nContent-Type: multipart/mixed; boundary=b\\r\\n\\r\\n--b\\r\\n" +\n' +
        '  b"Content-Type: message/rfc822\\r\\n\\r\\n" + inner + b"--b--\\r\\n")\n' +
        'out["inner"] = wrapped["attachments"][0]["content"] == inner.replace(b"\\r\\n", b"\\n").rstrip(b"\\n")\n' +
        'kept = lambda b: (lambda x: [x["from"], x["subject"], x["date"], x["messageId"]])(consume.parse_mail(b))\n' +
        'out["kept"] = [kept(b"From: =?UTF-8?Q?Jos=C3=A9?= <j@example.com>\\r\\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\\r\\n' +
        'Date: Mon, 30 Feb 2026 10:00:00 +0000\\r\\nMessage-ID:\\r\\n <x@example.com>\\r\\n\\r\\nx"),\n' +
        '  kept(b"From: a@example.org\\r\\n\\r\\nContent-Security-Policy: a" + b"\\r\\n x" * 3000 + b"\\r\\n")]\n' +
        'print(json.dumps(out))',
      dirname(EXAMPLE),
      sample,
    ],
    { encoding: 'utf8' },
  );
  const expected = {
    from: { address: 'sender@example.net', name: 'Example Sender' },
    subject: 'Quarterly report \u2014 draft',
    messageId: '<sample-0001@example.net>',
    date: '2026-11-23T08:59:58+01:00',
    html: '<p>Hello,</p><p>the draft of the quarterly report is attached. Gr\u00fc\u00dfe!</p>\n',
    attachments: [['report.csv', 'text/csv', csv.toString('hex')]],
    // Empty, no header section, binary; two From fields (readers differ on which), one From read as two addresses;
    // 10,000 quoted strings in a From (35 s in the email package's parser) and 700 KB of encoded words in a Subject
    // (44 s), each refused at once; 52,000 empty parts (10 s), and a bare CR in the header section (the email package
    // splits lines there, postal-mime does not: they read different senders).
    refused: [
      'MAIL_MALFORMED',
      'MAIL_MALFORMED',
      'MAIL_MALFORMED',
      'MAIL_MALFORMED',
      'MAIL_MALFORMED',
      'MAIL_MALFORMED',
      'MAIL_TOO_COMPLEX',
      'MAIL_TOO_COMPLEX',
      'MAIL_MALFORMED',
    ],
    // An attached mail's fields as they came, not refolded (a 600 KB Subject took 77 s to refold).
    inner: true,
    // Kept, as damaged mail that is still a mail: an encoded display name and Subject decoded, an impossible date
    // read as none, a folded Message-ID unfolded; a body line that looks like a long Content- field is no field.
    kept: [
      [{ address: 'j@example.com', name: 'Jos\u00e9' }, 'Gr\u00fc\u00dfe', null, '<x@example.com>'],
      [{ address: 'a@example.org', name: '' }, null, null, null],
    ],
  };
  return probe.status === 0 && sameJson(probe.stdout, expected)
    ? []
    : [`gave ${probe.stdout.trim() || probe.stderr.trim()}, expected ${JSON.stringify(expected)}`];
}
