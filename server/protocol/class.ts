/**
 * The class protocol (`socketlab-class/1`): the WebSocket at /class, used when an instructor hosts
 * a class (`npm start -- --class`). Students join with a code and a nickname and report their
 * progress; the instructor gets the roster, progress, a live feed of the class's lab calls, and
 * controls (presenter mode, open a lesson for everyone, end the class). Shared by server and
 * browser; validated at both ends. docs/hosting.md describes it for instructors, docs/protocol.md
 * for developers.
 *
 * Written with zod/mini, zod's functional API (checks are functions passed to `.check()`, wrappers
 * such as `z.optional()` are functions too), because the browser reads the stored membership and
 * progress with these schemas on every page: mini lets the bundler keep only what is used, where
 * full zod's methods would all come along. The wire format is the same either way. Mini loads no
 * locale: zod's own messages ("Invalid input: expected string…") are English once full zod is loaded,
 * as it always is in the server (the lab protocol); every message the browser shows is written here.
 */
import * as z from 'zod/mini';
import { CHALLENGE_IDS, ChallengeIdSchema } from './challenges.ts';

export const CLASS_PROTOCOL = 'socketlab-class/2' as const;

/** The longest nickname, in characters (Unicode code points, after NFC). */
export const NICKNAME_MAX = 32;
/**
 * A nickname as people write their names: letters of any script with their combining marks
 * ("प्रिया", "தமிழ்", "Zoë" typed decomposed), digits, spaces, dots, dashes and apostrophes. It is
 * normalised to NFC with runs of white space made one space, so what is stored and shown is one
 * spelling. No format or control characters (no bidi overrides, no zero-width joiners). Whether it
 * is taken is the server's call: it compares a case-folded, confusable-skeleton key
 * (server/class/nickname.ts), so "Alice" and a Cyrillic "Аlice" are one name.
 */
export const NicknameSchema = z.pipe(
  z.pipe(
    z.string().check(z.maxLength(256, 'at most 32 characters')),
    z.transform((s: string) => s.normalize('NFC').replace(/\s+/gu, ' ').trim()),
  ),
  z.string().check(
    z.minLength(1, 'a nickname is needed'),
    z.refine((s) => [...s].length <= NICKNAME_MAX, `at most ${NICKNAME_MAX} characters`),
    z.regex(/^[\p{L}\p{N}][\p{L}\p{M}\p{N} ._'\u2019-]*$/u, 'letters, digits, spaces, dots, dashes, apostrophes'),
  ),
);
/** Six characters from an alphabet without look-alikes (no 0/O, 1/I/L). Dashes and case are ignored. */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** A join code as the server issues it and the browser stores it: upper case, no dashes. */
export const CanonicalJoinCodeSchema = z.string().check(z.regex(/^[2-9A-HJKMNP-Z]{6}$/, 'a join code has 6 letters and digits'));
/** A join code as a person types it. */
export const JoinCodeSchema = z.pipe(
  z.pipe(
    z.string(),
    z.transform((s: string) => s.toUpperCase().replace(/[\s-]/g, '')),
  ),
  CanonicalJoinCodeSchema,
);
export const TokenSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{16,64}$/));
export const SlugSchema = z.string().check(z.regex(/^[a-z0-9-]{1,60}$/));

const count = (min: number) => z.int().check(z.gte(min), z.lte(100));
/** The lesson's challenges the lab found met (issue 18); absent from browsers that predate them. */
const PassedChallengesSchema = z.array(ChallengeIdSchema).check(z.maxLength(CHALLENGE_IDS.length));
export const LessonProgressReportSchema = z.strictObject({
  read: z.boolean(),
  quiz: z.nullable(
    z
      .strictObject({ score: count(0), total: count(1), passed: z.boolean() })
      .check(z.refine((q) => q.score <= q.total, 'a quiz score cannot exceed its total')),
  ),
  challenges: z.optional(PassedChallengesSchema),
});
export type LessonProgressReport = z.infer<typeof LessonProgressReportSchema>;

// ---------------------------------------------------------------------------------------
// Browser → server

export const ClassClientMessageSchema = z.discriminatedUnion('type', [
  /** A student joins for the first time. One student per connection. */
  z.strictObject({ type: z.literal('join'), code: JoinCodeSchema, nickname: NicknameSchema }),
  /** A student's browser comes back (reload, lost connection, server restart). */
  z.strictObject({ type: z.literal('resume'), token: TokenSchema }),
  /** The instructor's dashboard (and the instructor's own presenter page). */
  z.strictObject({ type: z.literal('instructor'), key: TokenSchema }),
  /**
   * A student's progress, as the browser keeps it (lessons read, quiz results). With `seq`, the
   * server answers `progress-saved` once the report is committed to disk.
   */
  z.strictObject({
    type: z.literal('progress'),
    lessons: z.record(SlugSchema, LessonProgressReportSchema),
    seq: z.optional(z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER))),
  }),
  /** Instructor: everyone opens this lesson (or the course map when null). */
  z.strictObject({ type: z.literal('open-lesson'), slug: z.nullable(SlugSchema) }),
  /** Instructor: the lab session to mirror on students' screens (its watch token), or none. */
  z.strictObject({ type: z.literal('present'), watchToken: z.nullable(z.string().check(z.maxLength(64))) }),
  /** Instructor: end the class: every session closes, joining stops. */
  z.strictObject({ type: z.literal('end-class') }),
  /** A student leaves the class on purpose (their browser forgets the token). */
  z.strictObject({ type: z.literal('leave') }),
  /**
   * Student: let the instructor watch my live lab session, read-only (its watch token), or stop
   * (null). Only a session the student opened in this class may be shared.
   */
  z.strictObject({ type: z.literal('share-lab'), watchToken: z.nullable(z.string().check(z.maxLength(64))) }),
]);
export type ClassClientMessage = z.infer<typeof ClassClientMessageSchema>;

// ---------------------------------------------------------------------------------------
// Server → browser

const ChatAddressSchema = z.object({ address: z.string(), port: z.int() });

/**
 * What anyone who opens /class learns before joining: that a class runs here, its title, and
 * whether it has ended. Never the join code (that is what a student proves they know).
 */
export const PublicClassInfoSchema = z.object({
  title: z.string(),
  startedAt: z.number(),
  endedAt: z.nullable(z.number()),
});
export type PublicClassInfo = z.infer<typeof PublicClassInfoSchema>;

/** The instructor's view of the class: with the join code and the students' address. */
export const ClassInfoSchema = z.extend(PublicClassInfoSchema, {
  code: z.string(),
  /** Where students open the site. */
  studentUrl: z.string(),
  /** The class chat server students can join from browsers and terminals. */
  chat: z.nullable(ChatAddressSchema),
  /** This machine's addresses on its networks (not loopback), for the restart command when the link is on loopback. */
  machineAddresses: z.array(z.string()),
});
export type ClassInfo = z.infer<typeof ClassInfoSchema>;

export const StudentSummarySchema = z.object({
  id: z.int(),
  nickname: z.string(),
  online: z.boolean(),
  joinedAt: z.number(),
  lastSeen: z.number(),
  lessons: z.record(z.string(), LessonProgressReportSchema),
  labCalls: z.int(),
  labErrors: z.int(),
  /** The watch token of the lab session this student shares with the instructor, while it is live. */
  sharedLab: z.nullable(z.string()),
});
export type StudentSummary = z.infer<typeof StudentSummarySchema>;

/**
 * What changed in one student's row: the fields given replace the old ones, `lessons` holds only
 * the lessons that changed. A student not yet on the dashboard arrives with every field.
 */
export const StudentPatchSchema = z.extend(z.partial(StudentSummarySchema), { id: z.int() });
export type StudentPatch = z.infer<typeof StudentPatchSchema>;

/** How many feed items the dashboard keeps (the server's and the browser's copy alike). */
export const FEED_LENGTH = 60;

export const FeedItemSchema = z.object({
  /** Increases by one per item the feed ever took: a delta's items are the ones after the last seen. */
  seq: z.int(),
  at: z.number(),
  student: z.string(),
  call: z.string(),
  /** 'ok', or the error code. */
  outcome: z.string(),
});
export type FeedItem = z.infer<typeof FeedItemSchema>;

export const ErrorTallySchema = z.object({ code: z.string(), students: z.int(), calls: z.int() });
export type ErrorTally = z.infer<typeof ErrorTallySchema>;

export const DashboardSchema = z.object({
  type: z.literal('dashboard'),
  class: ClassInfoSchema,
  students: z.array(StudentSummarySchema),
  /** The newest lab calls from the whole class (rate-limited), newest last. */
  feed: z.array(FeedItemSchema),
  /** Error codes in the last five minutes, and how many students got each. */
  errors: z.array(ErrorTallySchema),
  /** The join URL as an SVG QR code. */
  qrSvg: z.string(),
  presenting: z.nullable(z.string()),
  /**
   * True while this instance cannot hear the other instances serving the class (`--redis` is
   * down): students online elsewhere, and what they do, are missing until it is back.
   */
  partial: z.optional(z.boolean()),
});
export type Dashboard = z.infer<typeof DashboardSchema>;

/**
 * What changed on the dashboard since the last push (at most one a second, none when nothing
 * changed). Every field is absolute, not an increment, so applying a delta twice, or to a snapshot
 * taken after it was computed, gives the same dashboard (app/_lib/class/dashboard-delta.ts).
 */
export const DashboardDeltaSchema = z.object({
  type: z.literal('dashboard-delta'),
  class: z.optional(ClassInfoSchema),
  students: z.optional(z.array(StudentPatchSchema)),
  /** New feed items, oldest first. */
  feed: z.optional(z.array(FeedItemSchema)),
  errors: z.optional(z.array(ErrorTallySchema)),
  presenting: z.optional(z.nullable(z.string())),
  partial: z.optional(z.boolean()),
});
export type DashboardDelta = z.infer<typeof DashboardDeltaSchema>;

export const ClassServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), protocol: z.literal(CLASS_PROTOCOL), class: PublicClassInfoSchema }),
  z.object({
    type: z.literal('joined'),
    token: TokenSchema,
    student: z.object({ id: z.int(), nickname: z.string() }),
    /** True after a server restart or a lost connection: lab sockets from before are gone. */
    resumed: z.boolean(),
    presenting: z.nullable(z.string()),
    lesson: z.nullable(z.string()),
    /** The class chat server, for the class bar's link. */
    chat: z.nullable(ChatAddressSchema),
  }),
  /** The progress report with this `seq` (and every earlier one) is committed to disk. */
  z.object({ type: z.literal('progress-saved'), seq: z.int() }),
  z.object({ type: z.literal('presenting'), watchToken: z.nullable(z.string()) }),
  /** To a student: what the instructor can now watch of theirs (the answer to share-lab). */
  z.object({ type: z.literal('sharing'), watchToken: z.nullable(z.string()) }),
  z.object({ type: z.literal('open-lesson'), slug: z.nullable(z.string()) }),
  /** To the instructor only: the whole dashboard, once after the key is accepted. */
  DashboardSchema,
  /** To the instructor only: the changes since the previous push. */
  DashboardDeltaSchema,
  z.object({ type: z.literal('class-ended'), message: z.string() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ClassServerMessage = z.infer<typeof ClassServerMessageSchema>;
