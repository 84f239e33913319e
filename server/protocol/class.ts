/**
 * The class protocol (`socketlab-class/1`): the WebSocket at /class, used when an instructor hosts
 * a class (`npm start -- --class`). Students join with a code and a nickname and report their
 * progress; the instructor gets the roster, progress, a live feed of the class's lab calls, and
 * controls (presenter mode, open a lesson for everyone, end the class). Shared by server and
 * browser; validated at both ends. docs/hosting.md describes it for instructors, docs/protocol.md
 * for developers.
 */
import { z } from 'zod';

export const CLASS_PROTOCOL = 'socketlab-class/1' as const;

export const NicknameSchema = z
  .string()
  .trim()
  .min(1, 'a nickname is needed')
  .max(24, 'at most 24 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._'-]*$/u, 'letters, digits, spaces, dots, dashes, apostrophes');
/** Six characters from an alphabet without look-alikes (no 0/O, 1/I/L). Dashes and case are ignored. */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const JoinCodeSchema = z
  .string()
  .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[2-9A-HJKMNP-Z]{6}$/, 'a join code has 6 letters and digits'));
export const TokenSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
export const SlugSchema = z.string().regex(/^[a-z0-9-]{1,60}$/);

export const LessonProgressReportSchema = z.strictObject({
  read: z.boolean(),
  quiz: z.strictObject({ score: z.number().int().min(0).max(100), total: z.number().int().min(1).max(100), passed: z.boolean() }).nullable(),
});
export type LessonProgressReport = z.infer<typeof LessonProgressReportSchema>;

// ---------------------------------------------------------------------------------------
// Browser → server

export const ClassClientMessageSchema = z.discriminatedUnion('type', [
  /** A student joins for the first time. */
  z.strictObject({ type: z.literal('join'), code: JoinCodeSchema, nickname: NicknameSchema }),
  /** A student's browser comes back (reload, lost connection, server restart). */
  z.strictObject({ type: z.literal('resume'), token: TokenSchema }),
  /** The instructor's dashboard (and the instructor's own presenter page). */
  z.strictObject({ type: z.literal('instructor'), key: TokenSchema }),
  /** A student's progress, as the browser keeps it (lessons read, quiz results). */
  z.strictObject({ type: z.literal('progress'), lessons: z.record(SlugSchema, LessonProgressReportSchema) }),
  /** Instructor: everyone opens this lesson (or the course map when null). */
  z.strictObject({ type: z.literal('open-lesson'), slug: SlugSchema.nullable() }),
  /** Instructor: the lab session to mirror on students' screens (its watch token), or none. */
  z.strictObject({ type: z.literal('present'), watchToken: z.string().max(64).nullable() }),
  /** Instructor: end the class: every session closes, joining stops. */
  z.strictObject({ type: z.literal('end-class') }),
  /** A student leaves the class on purpose (their browser forgets the token). */
  z.strictObject({ type: z.literal('leave') }),
]);
export type ClassClientMessage = z.infer<typeof ClassClientMessageSchema>;

// ---------------------------------------------------------------------------------------
// Server → browser

export const ClassInfoSchema = z.object({
  title: z.string(),
  code: z.string(),
  /** Where students open the site. */
  studentUrl: z.string(),
  /** The class chat server students can join from browsers and terminals. */
  chat: z.object({ address: z.string(), port: z.number().int() }).nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
});
export type ClassInfo = z.infer<typeof ClassInfoSchema>;

export const StudentSummarySchema = z.object({
  id: z.number().int(),
  nickname: z.string(),
  online: z.boolean(),
  joinedAt: z.number(),
  lastSeen: z.number(),
  lessons: z.record(z.string(), LessonProgressReportSchema),
  labCalls: z.number().int(),
  labErrors: z.number().int(),
});
export type StudentSummary = z.infer<typeof StudentSummarySchema>;

export const FeedItemSchema = z.object({
  at: z.number(),
  student: z.string(),
  call: z.string(),
  /** 'ok', or the error code. */
  outcome: z.string(),
});
export type FeedItem = z.infer<typeof FeedItemSchema>;

export const ErrorTallySchema = z.object({ code: z.string(), students: z.number().int(), calls: z.number().int() });

export const ClassServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), protocol: z.literal(CLASS_PROTOCOL), class: ClassInfoSchema }),
  z.object({
    type: z.literal('joined'),
    token: TokenSchema,
    student: z.object({ id: z.number().int(), nickname: z.string() }),
    /** True after a server restart or a lost connection: lab sockets from before are gone. */
    resumed: z.boolean(),
    presenting: z.string().nullable(),
    lesson: z.string().nullable(),
  }),
  z.object({ type: z.literal('presenting'), watchToken: z.string().nullable() }),
  z.object({ type: z.literal('open-lesson'), slug: z.string().nullable() }),
  z.object({
    type: z.literal('dashboard'),
    class: ClassInfoSchema,
    students: z.array(StudentSummarySchema),
    /** The newest lab calls from the whole class (rate-limited), newest last. */
    feed: z.array(FeedItemSchema),
    /** Error codes in the last five minutes, and how many students got each. */
    errors: z.array(ErrorTallySchema),
    /** The join URL as an SVG QR code. */
    qrSvg: z.string(),
    presenting: z.string().nullable(),
  }),
  z.object({ type: z.literal('class-ended'), message: z.string() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ClassServerMessage = z.infer<typeof ClassServerMessageSchema>;
