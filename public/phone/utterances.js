/**
 * A transcript message in its readable form (`[zh-HK female] 你好 [audio URL] [pause 1s]`)
 * as texts to speak, each in the language its voice label names; audio and pauses are
 * shown, not spoken.
 */
export function utterances(msg) {
  const out = [];
  let lang = '';
  for (const piece of msg.split(/(\[[^\]]*\])/)) {
    const label = /^\[(.*)\]$/.exec(piece);
    if (label !== null) {
      const first = label[1].split(' ')[0] ?? '';
      if (first === 'audio' || first === 'pause') continue;
      if (first === 'default' || first === 'male' || first === 'female') lang = '';
      else if (/^[a-z]{2,3}(-[A-Za-z0-9]+)?$/.test(first)) lang = first;
      else if (piece.trim() !== '') out.push({ text: piece.trim(), lang });
      continue;
    }
    if (piece.trim() !== '') out.push({ text: piece.trim(), lang });
  }
  return out;
}
