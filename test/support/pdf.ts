import { extractText, getDocumentProxy } from 'unpdf';

/** A PDF's text, all pages joined: what a reader would copy out of it (platform/pdf embeds a ToUnicode map). */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  const document = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(document, { mergePages: true });
  return text;
}
