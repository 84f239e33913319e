/**
 * The class's join QR code, drawn twice from one bit matrix (lean-qr, no dependencies): an SVG for
 * the instructor's dashboard, and text for the terminal banner. The text packs two rows of modules
 * into each line with half blocks (▀ ▄ █) and sets its own colours, dark modules on white, so it scans
 * on a dark terminal as on a light one.
 */
import { correction, generate, type Bitmap2D } from 'lean-qr';
import { toSvgSource } from 'lean-qr/extras/svg';

/** Light modules kept around the code, as before: phones read it, and the banner stays small. */
const QUIET = 1;

function qrCode(text: string): Bitmap2D {
  return generate(text, { minCorrectionLevel: correction.M });
}

/** An SVG document, black on white, one unit a module (the page sets the size it is shown at). */
export function qrSvg(text: string): string {
  return toSvgSource(qrCode(text), { on: '#000000', off: '#ffffff', pad: QUIET });
}

const DARK_ON_WHITE = '\x1b[47m\x1b[30m'; // white background, black foreground
const RESET = '\x1b[0m';

/** Lines of half blocks, two module rows a line, in explicit colours. */
export function qrTerminal(text: string): string {
  const code = qrCode(text);
  const side = code.size + 2 * QUIET;
  const dark = (x: number, y: number) => {
    const cx = x - QUIET;
    const cy = y - QUIET;
    return cx >= 0 && cy >= 0 && cx < code.size && cy < code.size && code.get(cx, cy);
  };
  const lines: string[] = [];
  for (let y = 0; y < side; y += 2) {
    let line = '';
    for (let x = 0; x < side; x++) {
      const top = dark(x, y);
      const bottom = dark(x, y + 1);
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(DARK_ON_WHITE + line + RESET);
  }
  return lines.join('\n');
}
