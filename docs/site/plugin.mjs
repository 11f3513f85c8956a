// typedoc plugin of the trellis docs site (decision 0015):
//  - a README.md listed in `projectDocuments` gets the documents it links to as its children, in
//    the order of its links (./readingOrder.mjs), so the sidebar reads Guides → Getting started →
//    … in reading order, and a README link to a decision record or an example lands on its page
//    instead of a raw copy under media/; a document left out of a reading order is an error;
//  - every document is named after its first `# ` heading, not its file name, and its page is
//    named after its file (documents/guides/getting-started.html), so a title edit breaks no link;
//  - several `@throws` tags of one comment render as one "Throws" list, not one heading each;
//  - a page is shown as soon as its HTML is parsed. typedoc's theme hides <body> until its script
//    has built the sidebar, or until a 500 ms timer fires; on a slow or headless browser a reader
//    (and a screenshot) gets a blank page until then.
import { basename, dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { Comment, Converter, KindRouter, MinimalSourceFile, PageEvent, Renderer } from 'typedoc';
import { documentTitle, readingOrder } from './readingOrder.mjs';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.defineRouter('trellis', DocumentFileRouter);
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, doc) => {
    const file = doc.project.files.getReflectionPath(doc);
    if (file === undefined) return;
    doc.name = documentTitle(file);
    if (!file.endsWith('/README.md')) return;
    const { order, problems } = readingOrder(dirname(file));
    for (const problem of problems) app.logger.error(problem);
    for (const child of order) {
      app.converter.addDocument(doc, new MinimalSourceFile(readFileSync(child, 'utf8'), child), documentTitle(child));
    }
  });

  app.renderer.on(PageEvent.END, (page) => {
    if (page.contents === undefined) return;
    const shown = page.contents.replace(HIDE_BODY, '');
    if (shown === page.contents) app.logger.error(`docs/site/plugin.mjs: ${page.url} has no body-hiding script to remove; has typedoc's theme changed?`);
    page.contents = shown;
  });

  app.renderer.on(Renderer.EVENT_BEGIN, (event) => {
    for (const reflection of Object.values(event.project.reflections)) {
      mergeThrows(reflection.comment);
      for (const signature of reflection.signatures ?? []) mergeThrows(signature.comment);
    }
  });
}

// The theme's inline script, after it sets the colour theme (typedoc 0.28).
const HIDE_BODY = 'document.body.style.display="none";setTimeout(() => window.app?app.showPage():document.body.style.removeProperty("display"),500)';

/** Turns two or more `@throws` block tags into one whose content is a Markdown list of them. */
function mergeThrows(comment) {
  const throws = comment?.blockTags.filter((tag) => tag.tag === '@throws') ?? [];
  if (throws.length < 2) return;
  const content = throws.flatMap((tag, i) => [{ kind: 'text', text: i === 0 ? '- ' : '\n- ' }, ...indentLines(Comment.cloneDisplayParts(tag.content))]);
  const first = comment.blockTags.indexOf(throws[0]);
  comment.blockTags = comment.blockTags.filter((tag) => tag.tag !== '@throws');
  comment.blockTags.splice(first, 0, Object.assign(throws[0].clone(), { content }));
}

/** A list item's continuation lines are indented, so a multi-line `@throws` stays one item. */
function indentLines(parts) {
  return parts.map((part) => (part.kind === 'text' ? { ...part, text: part.text.replace(/\n(?!\n)/g, '\n  ') } : part));
}


/** typedoc's default router, except that a document's page is named after its file. */
class DocumentFileRouter extends KindRouter {
  getIdealBaseName(reflection) {
    if (!reflection.isDocument()) return super.getIdealBaseName(reflection);
    const parts = [];
    for (let r = reflection; r && !r.isProject(); r = r.parent) {
      const file = r.project.files.getReflectionPath(r);
      parts.unshift(file === undefined ? r.name : basename(file) === 'README.md' ? basename(dirname(file)) : basename(file, '.md'));
    }
    return `documents/${parts.join('/')}`;
  }
}
