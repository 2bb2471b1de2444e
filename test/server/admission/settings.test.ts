import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMISSION_MODES } from '../../../src/admission/types.js';
import { ADMISSION_DEFAULT_MODES, loadAdmissionSettings } from '../../../src/config/index.js';
import { CoreError } from '../../../src/core/index.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

describe('loadAdmissionSettings (CUSTODY_ADMISSION_*)', () => {
  it('is enforce on the service listener alone by default', () => {
    assert.deepEqual(loadAdmissionSettings({}), {
      defaultMode: 'enforce',
      unidentifiedRatePerS: 50,
      tls: undefined,
    });
  });

  it('reads the rate of unidentified callers, 0 turning it off, and refuses anything else', () => {
    assert.equal(
      loadAdmissionSettings({ CUSTODY_ADMISSION_UNIDENTIFIED_RATE: '0' }).unidentifiedRatePerS,
      0,
    );
    for (const bad of ['-1', '2.5', 'fast'])
      expectCustodyError(
        () => loadAdmissionSettings({ CUSTODY_ADMISSION_UNIDENTIFIED_RATE: bad }),
        CoreError,
        'USAGE',
      );
  });

  it('knows the same modes as the admission domain', () => {
    assert.deepEqual([...ADMISSION_DEFAULT_MODES], [...ADMISSION_MODES]);
  });

  it('takes the default mode from the variable, and the flag over it', () => {
    assert.equal(
      loadAdmissionSettings({ CUSTODY_ADMISSION_DEFAULT_MODE: 'Audit' }).defaultMode,
      'audit',
    );
    assert.equal(
      loadAdmissionSettings({ CUSTODY_ADMISSION_DEFAULT_MODE: 'audit' }, { defaultMode: 'warn' })
        .defaultMode,
      'warn',
    );
  });

  it('reads the TLS listener', () => {
    const s = loadAdmissionSettings({
      CUSTODY_ADMISSION_LISTEN: '0.0.0.0:8443',
      CUSTODY_ADMISSION_TLS_CERT: '/etc/custody/tls.crt',
      CUSTODY_ADMISSION_TLS_KEY: '/etc/custody/tls.key',
      CUSTODY_ADMISSION_CLIENT_CA: '/etc/custody/apiserver-ca.crt',
    });
    assert.deepEqual(s.tls, {
      listen: { host: '0.0.0.0', port: 8443 },
      certFile: '/etc/custody/tls.crt',
      keyFile: '/etc/custody/tls.key',
      clientCaFile: '/etc/custody/apiserver-ca.crt',
    });
    assert.ok(Object.isFrozen(s));
  });

  it('refuses what does not add up, naming every variable at fault at once', () => {
    const cases: [Record<string, string>, RegExp[]][] = [
      [{ CUSTODY_ADMISSION_DEFAULT_MODE: 'permissive' }, [/CUSTODY_ADMISSION_DEFAULT_MODE/]],
      [
        { CUSTODY_ADMISSION_LISTEN: '0.0.0.0:8443' },
        [/CUSTODY_ADMISSION_TLS_CERT and CUSTODY_ADMISSION_TLS_KEY/],
      ],
      [
        { CUSTODY_ADMISSION_TLS_CERT: '/c', CUSTODY_ADMISSION_TLS_KEY: '/k' },
        [/set CUSTODY_ADMISSION_LISTEN/],
      ],
      [{ CUSTODY_ADMISSION_CLIENT_CA: '/ca' }, [/set CUSTODY_ADMISSION_LISTEN/]],
      [
        {
          CUSTODY_ADMISSION_LISTEN: 'not a port',
          CUSTODY_ADMISSION_DEFAULT_MODE: 'x',
          CUSTODY_ADMISSION_TLS_CERT: '/c',
          CUSTODY_ADMISSION_TLS_KEY: '/k',
        },
        [/CUSTODY_ADMISSION_LISTEN must be host:port/, /CUSTODY_ADMISSION_DEFAULT_MODE/],
      ],
    ];
    for (const [env, patterns] of cases) {
      const e = expectCustodyError(() => loadAdmissionSettings(env), CoreError, 'USAGE');
      for (const p of patterns) assert.match(e.message, p);
    }
  });
});
