/** A transcript message as texts to speak, each with the BCP 47 language its voice label names ('' for the default voice). */
export function utterances(msg: string): Array<{ text: string; lang: string }>;
