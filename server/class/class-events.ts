/**
 * The class events instances tell each other over the event bus (class-bus.ts): every change one
 * instance makes to the class, so the others' dashboards and students see it. The state of record
 * is the class store; an event only keeps another instance's memory fresh, so a lost event costs
 * freshness (an instance reloads from the store when the bus comes back), never data.
 * Checked on arrival like any other input: a malformed message is dropped and counted, not applied.
 */
import * as z from 'zod/mini';
import { LessonProgressReportSchema, SlugSchema } from '../protocol/class.ts';

const id = z.int().check(z.gte(1));
const time = z.number();

const StudentRowSchema = z.object({
  id,
  token: z.string(),
  nickname: z.string(),
  joinedAt: time,
  lastSeen: time,
  labCalls: z.int(),
  labErrors: z.int(),
});

export const ClassEventSchema = z.discriminatedUnion('type', [
  /** A student joined on the sender (already committed to the store). */
  z.object({ type: z.literal('joined'), student: StudentRowSchema }),
  /** A student's progress, committed to the store by the sender (only the lessons that changed). */
  z.object({ type: z.literal('progress'), studentId: id, lessons: z.record(SlugSchema, LessonProgressReportSchema) }),
  /** A student was seen (joined, came back, left) on the sender. */
  z.object({ type: z.literal('seen'), studentId: id, at: time }),
  /** One lab call by a student on the sender, for the feed, the tallies and the counts. */
  z.object({ type: z.literal('call'), at: time, studentId: id, student: z.string(), call: z.string(), outcome: z.string() }),
  /** Who is online on the sender right now; sent every dashboard tick, so silence means gone. */
  z.object({ type: z.literal('presence'), online: z.array(id) }),
  /** The instructor on the sender presents a lab session there (its watch token and id), or stops. */
  z.object({ type: z.literal('presenting'), watchToken: z.nullable(z.string()), session: z.nullable(z.string()) }),
  /** One event of the presented session, for its viewers on other instances. */
  z.object({ type: z.literal('lab-event'), watchToken: z.string(), event: z.looseObject({ event: z.string() }) }),
  /**
   * The sender just started or reconnected: the others reload the class from the store (its events
   * while it was away were dropped), and whoever presents says so again, for it.
   */
  z.object({ type: z.literal('hello') }),
  z.object({ type: z.literal('open-lesson'), slug: z.nullable(SlugSchema) }),
  z.object({ type: z.literal('end-class'), at: time }),
]);
export type ClassEvent = z.infer<typeof ClassEventSchema>;

/** What travels on the wire: the event and the instance that sent it (it ignores its own). */
export const BusEnvelopeSchema = z.object({ from: z.string(), event: ClassEventSchema });
export type BusEnvelope = z.infer<typeof BusEnvelopeSchema>;
