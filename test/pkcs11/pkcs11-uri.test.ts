import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CustodyError } from '../../src/core/errors.js';
import { SignError } from '../../src/sign/errors.js';
import {
  formatPkcs11Uri,
  type Pkcs11Uri,
  parsePkcs11Uri,
  redactPkcs11Uri,
} from '../../src/sign/pkcs11-uri.js';
import { expectCustodyError } from '../helpers/expect-error.js';

/** src/sign/pkcs11-uri.ts (pure); kept beside the signer's tests, which use it. */

// RFC 7512 §3's examples (all but the one with vendor attributes, refused below).
const RFC_EXAMPLES: [string, Pkcs11Uri][] = [
  ['pkcs11:', {}],
  ['pkcs11:object=my-pubkey;type=public', { object: 'my-pubkey', type: 'public' }],
  [
    'pkcs11:object=my-key;type=private?pin-source=file:/etc/token',
    { object: 'my-key', type: 'private', pinSource: 'file:/etc/token' },
  ],
  [
    'pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin',
    {
      token: 'The Software PKCS#11 Softtoken',
      manufacturer: 'Snake Oil, Inc.',
      model: '1.0',
      object: 'my-certificate',
      type: 'cert',
      id: Uint8Array.from([0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91]),
      serial: '',
      pinSource: 'file:/etc/token_pin',
    },
  ],
  [
    'pkcs11:object=my-sign-key;type=private?module-name=mypkcs11',
    { object: 'my-sign-key', type: 'private', moduleName: 'mypkcs11' },
  ],
  [
    'pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1',
    { object: 'my-sign-key', type: 'private', modulePath: '/mnt/libmypkcs11.so.1' },
  ],
  [
    'pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin',
    {
      token: 'Software PKCS#11 softtoken',
      manufacturer: 'Snake Oil, Inc.',
      pinValue: 'the-pin',
    },
  ],
  ['pkcs11:slot-description=Sun%20Metaslot', { slotDescription: 'Sun Metaslot' }],
  [
    'pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1.23',
    {
      libraryManufacturer: 'Snake Oil, Inc.',
      libraryDescription: 'Soft Token Library',
      libraryVersion: { major: 1, minor: 23 },
    },
  ],
  [
    'pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1',
    {
      libraryManufacturer: 'Snake Oil, Inc.',
      libraryDescription: 'Soft Token Library',
      libraryVersion: { major: 1, minor: 0 },
    },
  ],
  [
    'pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;id=%01%02%03%Ba%dd%Ef%fe%02;object=my-certificate;type=cert',
    {
      token: 'My token% created by Joe',
      libraryVersion: { major: 3, minor: 0 },
      id: Uint8Array.from([1, 2, 3, 0xba, 0xdd, 0xef, 0xfe, 2]),
      object: 'my-certificate',
      type: 'cert',
    },
  ],
  [
    'pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert',
    { token: 'A name with a substring %;', object: 'my-certificate', type: 'cert' },
  ],
  [
    'pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert',
    { token: 'Name with a small A with acute: á', object: 'my-certificate', type: 'cert' },
  ],
  ['pkcs11:slot-id=862151462;object=k', { slotId: 862151462n, object: 'k' }],
];

describe('parsePkcs11Uri', () => {
  for (const [text, expected] of RFC_EXAMPLES)
    it(`parses ${text.slice(0, 70)}`, () => {
      assert.deepEqual(parsePkcs11Uri(text), expected);
      // Our own output parses back to the same attributes.
      assert.deepEqual(parsePkcs11Uri(formatPkcs11Uri(expected)), expected);
    });

  it('takes the scheme in any case and query characters RFC 7512 allows unencoded', () => {
    assert.deepEqual(parsePkcs11Uri('PKCS11:object=a?pin-source=file:/a/b?c;d|e'), {
      object: 'a',
      pinSource: 'file:/a/b?c;d|e',
    });
  });

  const BAD: [string, string, RegExp][] = [
    ['another scheme', 'file:/etc/key.pem', /must start with "pkcs11:"/],
    ['a fragment', 'pkcs11:object=a#b', /no fragment/],
    ['an unknown path attribute', 'pkcs11:objet=a', /Unknown path attribute "objet"/],
    [
      "RFC 7512's vendor attributes (not supported)",
      'pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a?pin-source=file:/etc/token_pin&vendor-bbb=value-b',
      /Unknown path attribute "vendor-aaa"/,
    ],
    ['an unknown query attribute', 'pkcs11:object=a?pin=1234', /Unknown query attribute "pin"/],
    ['a path attribute twice', 'pkcs11:object=a;object=b', /"object" appears twice/],
    ['a query attribute twice', 'pkcs11:?module-path=/a&module-path=/b', /appears twice/],
    ['both PIN forms', 'pkcs11:?pin-value=1&pin-source=/p', /not both/],
    ['no "="', 'pkcs11:object', /not of the form name=value/],
    ['an empty attribute', 'pkcs11:object=a;;type=cert', /empty attribute/],
    ['a trailing ";"', 'pkcs11:object=a;', /empty attribute/],
    ['an empty name', 'pkcs11:=a', /not of the form/],
    ['a bad percent-encoding', 'pkcs11:object=a%2', /bad percent-encoding "%2"/],
    ['non-hex percent', 'pkcs11:id=%zz', /bad percent-encoding/],
    ['a space', 'pkcs11:object=my key', /contains " ".*%20/],
    ['a "/" in the path', 'pkcs11:object=a/b', /contains "\/"/],
    ['an "&" in a query value', 'pkcs11:?pin-value=a&b', /not of the form name=value/],
    ['a bad type', 'pkcs11:type=secret', /type=secret is not a PKCS#11 object type/],
    ['a bad slot-id', 'pkcs11:slot-id=0x10', /slot-id=0x10 is not a slot number/],
    ['a slot-id over 64 bits', 'pkcs11:slot-id=18446744073709551616', /not a slot number/],
    ['a bad library-version', 'pkcs11:library-version=1.2.3', /not a version/],
    ['a library-version over 255', 'pkcs11:library-version=256', /not a version/],
    ['invalid UTF-8', 'pkcs11:object=%C3%28', /not UTF-8/],
  ];
  for (const [what, text, message] of BAD)
    it(`refuses ${what} with SIGN_KEY_INVALID`, () => {
      const e = expectCustodyError(() => parsePkcs11Uri(text), SignError, 'SIGN_KEY_INVALID');
      assert.match(e.message, message);
    });

  it('keeps a PIN out of its messages', () => {
    const e = expectCustodyError(
      () => parsePkcs11Uri('pkcs11:object?pin-value=s3cret'),
      SignError,
      'SIGN_KEY_INVALID',
    );
    assert.ok(!e.message.includes('s3cret'), e.message);
  });

  it('parses or throws SignError for any string, never another error', () => {
    const chars = fc.constantFrom(...'pkcs11:;?&=%/#aZ09-._~ %C3é'.split(''));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: chars }).map((s) => `pkcs11:${s}`),
        ),
        (s) => {
          try {
            parsePkcs11Uri(s);
          } catch (e) {
            assert.ok(e instanceof CustodyError && e.code === 'SIGN_KEY_INVALID', String(e));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('formatPkcs11Uri', () => {
  it('writes attributes in RFC 7512 order, encoding what must be and id byte by byte', () => {
    assert.equal(
      formatPkcs11Uri({
        id: Uint8Array.from([0x01, 0xab]),
        object: 'release key;v2',
        token: 'CI/CD',
        pinValue: 'a&b=c',
        modulePath: '/usr/lib/softhsm/libsofthsm2.so',
      }),
      'pkcs11:token=CI%2FCD;object=release%20key%3Bv2;id=%01%AB?pin-value=a%26b=c&module-path=/usr/lib/softhsm/libsofthsm2.so',
    );
  });

  it('round-trips any attributes through parse', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 20 });
    const uriArb = fc.record(
      {
        token: text,
        manufacturer: text,
        serial: text,
        model: text,
        libraryManufacturer: text,
        libraryDescription: text,
        libraryVersion: fc.record(
          {
            major: fc.integer({ min: 0, max: 255 }),
            minor: fc.integer({ min: 0, max: 255 }),
          },
          { noNullPrototype: true },
        ),
        slotDescription: text,
        slotManufacturer: text,
        slotId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        object: text,
        type: fc.constantFrom('private', 'public', 'cert', 'secret-key', 'data' as const),
        id: fc.uint8Array({ maxLength: 20 }),
        pinValue: text,
        moduleName: text,
        modulePath: text,
      },
      { requiredKeys: [], noNullPrototype: true },
    );
    fc.assert(
      fc.property(uriArb, (u) => {
        const uri = u as Pkcs11Uri;
        assert.deepEqual(parsePkcs11Uri(formatPkcs11Uri(uri)), uri);
      }),
      { numRuns: 1000 },
    );
  });

  it('redactPkcs11Uri hides pin-value', () => {
    const uri = parsePkcs11Uri('pkcs11:object=k?pin-value=s3cret&module-path=/m.so');
    assert.equal(redactPkcs11Uri(uri), 'pkcs11:object=k?pin-value=***&module-path=/m.so');
  });
});
