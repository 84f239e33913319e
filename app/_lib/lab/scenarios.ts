/**
 * The scenarios moved to content/scenarios/ (one file each; the index is content/scenarios/index.ts).
 * This re-export remains only for app/_components/class/PresenterLab.tsx, which another branch is
 * changing at the same time: point its import at '@/content/scenarios' and delete this file.
 */
export { SCENARIOS, type ScenarioName } from '@/content/scenarios';
