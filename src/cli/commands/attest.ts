import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CliIO, settingsOf } from '../io.js';
import { registerAttestProvenance } from './attest-provenance.js';
import {
  attestResilientCommand,
  type KeyedFlags,
  keyedOptions,
  type ResilienceFlags,
  withKeyedOptions,
  withResilienceOptions,
  writeBundle,
} from './sign.js';

/**
 * `custody attest <subject> --predicate <file> --type <type> --key <pem>`: an in-toto Statement v1
 * about a file or a `sha256:` digest, in a DSSE envelope, in a Sigstore bundle (v0.3).
 */
export function registerAttest(program: Command, io: CliIO): void {
  withResilienceOptions(
    withKeyedOptions(
      program
        .command('attest <subject>')
        .description(
          'sign an in-toto attestation about a file, a sha256:<hex> digest, or an image in a configured registry (stored next to it)',
        )
        .requiredOption('--predicate <file>', 'the predicate, a JSON object')
        .requiredOption(
          '--type <type>',
          'predicate type: slsaprovenance1, cyclonedx, spdx, openvex, or a URI',
        )
        .option('--subject-name <name>', 'the subject’s name (default: the file’s base name)'),
    ),
  ).action(
    async (
      subject: string,
      o: KeyedFlags & ResilienceFlags & { predicate: string; type: string; subjectName?: string },
    ) => {
      // --fallback-key, --log-later, --public-log: signing that keeps going when a service is down.
      if (await attestResilientCommand(subject, o, io)) return;
      // An image in a configured registry (not a file here): the statement is about its manifest
      // digest and is stored in its repository (cosign's .att tag and an OCI referrer).
      const { imageRefIfConfigured } = await import('../../app/oci/registry.js');
      const image = imageRefIfConfigured(subject, io.cwd, settingsOf(io).environment);
      if (image !== undefined) {
        const { attestImage } = await import('../../app/oci/sign-image.js');
        const r = await attestImage(
          image,
          {
            ...keyedOptions(o, io),
            predicateFile: resolve(io.cwd, o.predicate),
            predicateType: o.type,
          },
          settingsOf(io).environment,
        );
        await writeBundle(
          io,
          o,
          r,
          `Attested ${r.statement.predicateType} about ${r.image}; stored as ${r.stored.cosignTag} and referrer ${r.stored.referrer}`,
        );
        return;
      }
      const { attestSubject } = await import('../../app/sign/sign-artifact.js');
      const r = await attestSubject({
        ...keyedOptions(o, io),
        subject: subject.startsWith('sha256:') ? subject : resolve(io.cwd, subject),
        predicateFile: resolve(io.cwd, o.predicate),
        predicateType: o.type,
        ...(o.subjectName !== undefined ? { subjectName: o.subjectName } : {}),
      });
      await writeBundle(
        io,
        o,
        r,
        `Attested ${r.statement.predicateType} about ${subject} (${r.digest})`,
      );
    },
  );
  // `attest provenance <artifact…>`: commander dispatches to it when the first operand is its name.
  registerAttestProvenance(program.commands.find((c) => c.name() === 'attest') as Command, io);
}
