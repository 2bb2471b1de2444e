import {
  type AdmissionError,
  digestPinPatch,
  digestsByPointer,
  type ImageAt,
  imageReviewResponse,
  parseImageReview,
} from '../../../src/admission/review/index.js';
import type { AdmissionDecision, ClusterIdentity } from '../../../src/admission/types.js';
import {
  type AdmissionFace,
  answerAdmissionReview,
  type ReviewCallOptions,
} from '../../../src/app/admission/face.js';

/**
 * A small AdmissionFace for the face's tests: it records what it was given and decides by one
 * rule (an image pinned by digest passes; anything else is denied), so the HTTP face is tested
 * without the decision engine.
 */
export class RecordingFace implements AdmissionFace {
  identified: { certFingerprint?: string; bearerToken?: string }[] = [];
  reviews: { who: ClusterIdentity; mutate: boolean; timeoutMs?: number }[] = [];
  imageReviews: { who: ClusterIdentity }[] = [];
  invalid: string[] = [];
  /** Fingerprints and tokens of registered clusters. */
  constructor(readonly clusters: { fingerprint?: string; token?: string; name: string }[] = []) {}

  async identify(c: { certFingerprint?: string; bearerToken?: string }): Promise<ClusterIdentity> {
    this.identified.push(c);
    for (const k of this.clusters) {
      if (c.certFingerprint !== undefined && k.fingerprint === c.certFingerprint)
        return { known: true, cluster: k.name, via: 'client-certificate' };
      if (c.bearerToken !== undefined && k.token === c.bearerToken)
        return { known: true, cluster: k.name, via: 'bearer-token' };
    }
    return { known: false };
  }

  async review(body: unknown, who: ClusterIdentity, o: ReviewCallOptions): Promise<unknown> {
    this.reviews.push({ who, ...o });
    return answerAdmissionReview(
      body,
      async (r) => {
        const decision = decide(r.uid, r.namespace, r.images, who);
        // The test registry "resolves" every tag to one digest.
        const verdicts = r.images.map((i) => ({ image: i.image, digest: DIGEST }));
        return {
          decision,
          ...(o.mutate
            ? { patch: digestPinPatch(r.images, digestsByPointer(r.images, verdicts)) }
            : {}),
        };
      },
      async (_env, e: AdmissionError) => {
        this.invalid.push(e.code);
      },
    );
  }

  async imageReview(body: unknown, who: ClusterIdentity): Promise<unknown> {
    this.imageReviews.push({ who });
    const r = parseImageReview(body);
    return imageReviewResponse(decide('image-review', r.namespace, r.images, who));
  }
}

export const DIGEST = `sha256:${'c5'.repeat(32)}`;

function decide(
  uid: string,
  namespace: string,
  images: readonly ImageAt[],
  who: ClusterIdentity,
): AdmissionDecision {
  const verdicts = images.map((i) => {
    const pinned = i.image.includes('@sha256:');
    return {
      image: i.image,
      outcome: pinned ? ('pass' as const) : ('fail' as const),
      ...(pinned ? {} : { reason: 'digest-required' as const }),
      message: pinned ? 'ok' : 'not pinned by digest',
      cached: false,
      effect: pinned ? ('allow' as const) : ('deny' as const),
    };
  });
  const allowed = verdicts.every((v) => v.effect === 'allow');
  return {
    uid,
    api: 'admission-review',
    ...(who.known ? { cluster: who.cluster } : {}),
    namespace,
    workload: 'Pod/x',
    operation: 'CREATE',
    dryRun: false,
    mode: 'enforce',
    modeSource: 'default',
    allowed,
    images: verdicts,
    degraded: false,
    warnings: [],
    at: '2026-12-04T12:00:00Z',
  };
}
