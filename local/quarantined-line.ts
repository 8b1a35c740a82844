/**
 * `npm start`'s line for a quarantined mail: where it is and the operator command that releases it.
 */

/** The line, with the release command (virus mail needs the flag that names the risk). */
export function quarantinedLine(name: string, messageId: string, millis: string): string {
  return (
    `  ■ ${name.padEnd(28)} quarantined (virus verdict FAIL): stored encrypted under quarantine/VIRUS/, never forwarded ${millis}\n` +
    `      on a deployed stack, release it with: ses-inbound quarantine release ${messageId} --accept-virus-risk --stack NAME` +
    '   (list: ses-inbound quarantine list --stack NAME)'
  );
}
