import { randomUUID } from 'node:crypto';
import { type DecisionSubject, decide } from '../../admission/outcome.js';
import {
  digestPinPatch,
  digestsByPointer,
  type ImageAt,
  imageReviewResponse,
  parseImageReview,
} from '../../admission/review/index.js';
import type {
  AdmissionDecision,
  ClusterIdentity,
  ImageVerdict,
  NamespaceConfig,
} from '../../admission/types.js';
import { type AdmissionFace, answerAdmissionReview, requestInvalidDecision } from './face.js';
import type { AdmissionGovernance, DecisionRecorder, ImageChecker } from './ports.js';

export interface AdmissionDeps {
  checker: ImageChecker;
  governance: AdmissionGovernance;
  recorder: DecisionRecorder;
  /** Whether an exception's image pattern matches an image reference (admission/image-pattern.ts). */
  matches: (pattern: string, image: string) => boolean;
  clock: () => Date;
  /** Told of every decision after it was taken (metrics). */
  onDecision?: (d: AdmissionDecision) => void;
  /** Told when recording failed: the decision stands, the record is lost (logged). */
  onRecordError?: (e: unknown, d: AdmissionDecision) => void;
  /** Told when a check threw instead of returning a verdict (a bug: logged, decided as infra). */
  onCheckError?: (e: unknown, image: string) => void;
}

/**
 * The admission decision engine behind the webhook: for each image of the object, the checker's
 * verdict (digest, signatures, attestations, SBOM, policy); then the namespace's mode, its
 * exceptions and any active override (`decide`); then the record — stored for every caller,
 * recorded as deployed only for a known cluster (the recorder's rule).
 */
export function createAdmission(deps: AdmissionDeps): AdmissionFace {
  const cluster = (who: ClusterIdentity) => (who.known ? who.cluster : undefined);

  async function judge(
    subject: DecisionSubject,
    images: readonly ImageAt[],
    who: ClusterIdentity,
  ): Promise<{ decision: AdmissionDecision; exceptions: { id: string; expiresAt: string }[] }> {
    const at = deps.clock();
    const [ns, exceptions, override] = await Promise.all([
      deps.governance.namespaceConfig(cluster(who), subject.namespace),
      deps.governance.activeExceptions(subject.namespace, at),
      deps.governance.activeOverride(subject.namespace, at),
    ]);
    const verdicts = await checkAll(images, ns, at);
    const decision = decide({
      subject,
      verdicts,
      ns,
      exceptions,
      override,
      matches: deps.matches,
      at,
    });
    record(decision);
    return { decision, exceptions };
  }

  /** One check per distinct image string: a pod naming an image twice is verified once. */
  async function checkAll(
    images: readonly ImageAt[],
    ns: NamespaceConfig,
    at: Date,
  ): Promise<ImageVerdict[]> {
    const distinct = [...new Set(images.map((i) => i.image))];
    return Promise.all(
      distinct.map((image) =>
        deps.checker.check(image, ns, at).catch((e: unknown): ImageVerdict => {
          deps.onCheckError?.(e, image);
          return {
            image,
            outcome: 'infra',
            reason: 'infrastructure',
            message:
              'the check failed inside Custody (see the service log); decided as an infrastructure failure',
            cached: false,
          };
        }),
      ),
    );
  }

  /**
   * Not awaited: the answer must not wait for the record's commit (SQLite syncs each one to disk;
   * awaiting it held every review for a commit, 369 reviews/s with p50 118 ms warm in
   * `npm run bench -- admission`). The recorder batches, retries and never rejects; a store that
   * cannot take the record must not turn an answer into an outage either. The loss is logged.
   */
  function record(d: AdmissionDecision): void {
    deps.onDecision?.(d);
    try {
      deps.recorder.record(d).catch((e: unknown) => deps.onRecordError?.(e, d));
    } catch (e) {
      deps.onRecordError?.(e, d);
    }
  }

  return {
    identify: (c) => deps.governance.identifyCluster(c),

    async review(body, who, o) {
      return answerAdmissionReview(
        body,
        async (review) => {
          const { decision, exceptions } = await judge(
            {
              uid: review.uid,
              api: 'admission-review',
              ...(who.known ? { cluster: who.cluster } : {}),
              namespace: review.namespace,
              workload: review.workload,
              operation: review.operation,
              dryRun: review.dryRun,
            },
            review.images,
            who,
          );
          const patch =
            o.mutate && decision.allowed
              ? digestPinPatch(review.images, digestsByPointer(review.images, decision.images))
              : undefined;
          return { decision, exceptions, ...(patch !== undefined ? { patch } : {}) };
        },
        async (envelope, error) =>
          record(requestInvalidDecision(envelope, error, who, deps.clock())),
      );
    },

    async imageReview(body, who) {
      const review = parseImageReview(body);
      const { decision, exceptions } = await judge(
        {
          uid: randomUUID(),
          api: 'image-review',
          ...(who.known ? { cluster: who.cluster } : {}),
          namespace: review.namespace,
          workload: 'Pod/',
          operation: 'CREATE',
          dryRun: false,
        },
        review.images,
        who,
      );
      return imageReviewResponse(decision, { exceptions });
    },
  };
}
