// The ogedge playground: edit a template (or a raw layer request), see the card re-rendered by this server.
// Plain script, no build step and nothing from elsewhere: every request goes to this app's own /playground/ routes.
"use strict";

const DEBOUNCE_MS = 250;
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g; // as handler/site.py fills them
const RAW = "raw";

// Link preview frames: how each one shows a 1.91:1 card. `ratio` is the crop (width / height); null keeps the
// image's own shape, scaled to fit `width` (and `maxHeight`).
const FRAMES = [
  { id: "x", name: "X / Twitter", width: 506, ratio: 2, note: "2:1 crop, domain over the image" },
  { id: "linkedin", name: "LinkedIn", width: 552, ratio: 1.91, note: "1.91:1 crop" },
  { id: "facebook", name: "Facebook", width: 500, ratio: 1.91, note: "1.91:1 crop" },
  { id: "slack", name: "Slack", width: 360, ratio: null, maxHeight: 360, note: "not cropped, scaled to 360 px" },
  { id: "discord", name: "Discord", width: 400, ratio: null, maxHeight: 300, note: "not cropped, scaled to 400 px" },
];
const SAFE_MARGIN = 0.05; // of the card's width (sides) and height (top, bottom), inside what every frame shows

const $ = (id) => document.getElementById(id);
const state = {
  site: null, // {templates, starter, signing, base_url}
  source: null, // a template name or RAW
  values: {}, // variable name -> text, kept across template switches
  texts: {}, // source -> the editor's text, so switching back keeps edits
  lastRequest: null, // the last rendered request (normalised): where raw mode starts
  seq: 0,
  inflight: null,
  timer: 0,
  retryTimer: 0,
  image: null, // {width, height}
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function setStatus(text, kind = "") {
  const status = $("status");
  status.textContent = text;
  status.dataset.kind = kind;
}

// ---- JSON with the text span of every value, so a problem's field path points at its place in the editor ----

class JsonSyntaxError extends Error {
  constructor(message, offset) {
    super(message);
    this.offset = offset;
  }
}

function parseJson(text) {
  const spans = new Map(); // "layers[2].font_size_in_px" -> [start, end] (from the key, for properties)
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let i = 0;
  const fail = (message) => {
    throw new JsonSyntaxError(message, Math.min(i, text.length));
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const token = (pattern, what) => {
    pattern.lastIndex = i;
    const found = pattern.exec(text);
    if (!found) fail(`not a valid ${what}`);
    i = pattern.lastIndex;
    return JSON.parse(found[0]);
  };
  const literal = (word, value) => {
    if (!text.startsWith(word, i)) fail(`unexpected ${JSON.stringify(text[i])}`);
    i += word.length;
    return value;
  };
  const value = (path) => {
    space();
    const start = i;
    const c = text[i];
    let found;
    if (c === undefined) fail("the JSON ends too early");
    else if (c === "{") found = object(path);
    else if (c === "[") found = array(path);
    else if (c === '"') found = token(STRING, "string (unclosed, or a bad escape)");
    else if (c === "-" || (c >= "0" && c <= "9")) found = token(NUMBER, "number");
    else if (c === "t") found = literal("true", true);
    else if (c === "f") found = literal("false", false);
    else if (c === "n") found = literal("null", null);
    else fail(`unexpected ${JSON.stringify(c)}`);
    if (!spans.has(path)) spans.set(path, [start, i]);
    return found;
  };
  const object = (path) => {
    const out = {};
    i++;
    space();
    if (text[i] === "}") {
      i++;
      return out;
    }
    for (;;) {
      space();
      if (text[i] !== '"') fail("expected a property name in double quotes");
      const start = i;
      const key = token(STRING, "property name");
      space();
      if (text[i] !== ":") fail("expected ':' after the property name");
      i++;
      const child = path ? `${path}.${key}` : key;
      Object.defineProperty(out, key, { value: value(child), enumerable: true, writable: true, configurable: true });
      spans.set(child, [start, i]);
      space();
      if (text[i] === ",") i++;
      else if (text[i] === "}") {
        i++;
        return out;
      } else fail("expected ',' or '}' after the property's value");
    }
  };
  const array = (path) => {
    const out = [];
    i++;
    space();
    if (text[i] === "]") {
      i++;
      return out;
    }
    for (;;) {
      out.push(value(`${path}[${out.length}]`));
      space();
      if (text[i] === ",") i++;
      else if (text[i] === "]") {
        i++;
        return out;
      } else fail("expected ',' or ']' after the item");
    }
  };
  const result = value("");
  space();
  if (i < text.length) fail("unexpected text after the JSON");
  return { value: result, spans };
}

function lineAndColumn(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

// ---- the editor: a textarea over a backdrop that marks problems, with line numbers ----

const editor = {
  marks: [], // [start, end] ranges

  text() {
    return $("json").value;
  },

  set(text) {
    $("json").value = text;
    this.mark([]);
  },

  mark(ranges) {
    const text = this.text();
    this.marks = ranges.map(([start, end]) => [start, Math.max(end, start + 1)]).sort((a, b) => a[0] - b[0]);
    const backdrop = $("backdrop");
    backdrop.replaceChildren();
    let at = 0;
    for (const [start, end] of this.marks) {
      if (start < at) continue;
      backdrop.append(text.slice(at, start));
      const marked = text.slice(start, end);
      if (marked === "" || marked === "\n") backdrop.append(el("mark", { text: " " }), marked);
      else backdrop.append(el("mark", { text: marked }));
      at = Math.min(end, text.length);
    }
    backdrop.append(text.slice(at) + "\n "); // a trailing newline still takes a line, as in the textarea
    const bad = new Set(this.marks.map(([start]) => lineAndColumn(text, start).line));
    const gutter = $("gutter");
    gutter.replaceChildren();
    const lines = text.split("\n").length;
    for (let n = 1; n <= lines; n++) {
      gutter.append(el("span", { class: bad.has(n) ? "bad" : "", text: String(n) }), "\n");
    }
    gutter.append(" \n ");
    if (this.marks.length) this.reveal(lineAndColumn(text, this.marks[0][0]).line);
    this.scroll();
  },

  reveal(line) {
    const area = $("json");
    const height = parseFloat(getComputedStyle(area).lineHeight) || 19;
    const top = (line - 1) * height;
    if (top < area.scrollTop || top + height > area.scrollTop + area.clientHeight - 16) {
      area.scrollTop = Math.max(0, top - 3 * height);
    }
  },

  scroll() {
    const area = $("json");
    $("backdrop").scrollTop = area.scrollTop;
    $("backdrop").scrollLeft = area.scrollLeft;
    $("gutter").scrollTop = area.scrollTop;
  },
};

// ---- sources, variables and the form ----

function template(name) {
  return state.site.templates.find((t) => t.name === name);
}

function placeholders(node, found = new Set()) {
  if (typeof node === "string") for (const m of node.matchAll(PLACEHOLDER)) found.add(m[1]);
  else if (Array.isArray(node)) node.forEach((item) => placeholders(item, found));
  else if (node && typeof node === "object") Object.values(node).forEach((item) => placeholders(item, found));
  return found;
}

function fillSources() {
  const select = $("source");
  select.replaceChildren();
  for (const t of state.site.templates) select.append(el("option", { value: t.name, text: `template: ${t.name}` }));
  select.append(el("option", { value: RAW, text: "raw layer request" }));
  for (const t of state.site.templates) Object.assign(state.values, { ...t.variables, ...state.values });
}

function chooseSource(source) {
  if (state.source !== null) state.texts[state.source] = editor.text();
  state.source = source;
  $("source").value = source;
  const raw = source === RAW;
  let text = state.texts[source];
  if (text === undefined) {
    const start = raw ? state.lastRequest || state.site.starter : template(source).template;
    text = JSON.stringify(start, null, 2);
  }
  editor.set(text);
  $("json-label").textContent = raw ? "Layer request (JSON)" : `Template ${source} (JSON)`;
  $("variables").hidden = raw;
  $("slug-field").hidden = raw;
  syncVariables();
  schedule(0);
}

function syncVariables() {
  if (state.source === RAW) return;
  let names;
  try {
    names = [...placeholders(parseJson(editor.text()).value)];
  } catch {
    return; // keep the fields while the JSON is broken
  }
  const box = $("variable-fields");
  const shown = [...box.querySelectorAll("input")].map((input) => input.name);
  if (shown.join("\n") === names.join("\n")) return;
  const defaults = template(state.source)?.defaults || {};
  box.replaceChildren();
  for (const name of names) {
    const id = `var-${name}`;
    const input = el("input", { id, name, autocomplete: "off", spellcheck: "false" });
    input.value = state.values[name] ?? "";
    if (name in defaults) input.placeholder = defaults[name];
    input.addEventListener("input", () => {
      state.values[name] = input.value;
      schedule();
    });
    const hint = name in defaults ? el("small", { class: "muted", text: `default: ${defaults[name]}` }) : "";
    box.append(
      el("div", { class: "field var" }, el("label", { for: id, text: name }), input, hint,
        el("small", { class: "problem", "data-for": `variables.${name}` })),
    );
  }
}

// ---- rendering ----

function schedule(delay = DEBOUNCE_MS) {
  clearTimeout(state.timer);
  state.timer = setTimeout(renderNow, delay);
}

function draftBody(parsed) {
  if (state.source === RAW) return { request: parsed };
  const names = [...placeholders(parsed)];
  const variables = Object.fromEntries(names.map((name) => [name, state.values[name] ?? ""]));
  return { template: parsed, name: state.source, variables, slug: $("slug").value.trim() || "preview" };
}

async function renderNow() {
  clearTimeout(state.retryTimer);
  let parsed;
  try {
    parsed = parseJson(editor.text()).value;
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    showProblems([{ field: null, offset: error.offset, message: error.message }]);
    setStatus("the JSON does not parse", "error");
    $("card").classList.add("stale");
    return;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    showProblems([{ field: null, offset: 0, message: "the JSON must be an object" }]);
    return;
  }
  syncVariables();
  const seq = ++state.seq;
  state.inflight?.abort();
  state.inflight = new AbortController();
  setStatus("rendering…", "busy");
  let response, body;
  try {
    response = await fetch("playground/render", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...authHeader() },
      body: JSON.stringify(draftBody(parsed)),
      signal: state.inflight.signal,
    });
    body = await response.json();
  } catch (error) {
    if (error.name === "AbortError") return;
    if (seq === state.seq) setStatus(`the server did not answer: ${error.message}`, "error");
    return;
  }
  if (seq !== state.seq) return; // a newer draft is on its way
  if (response.ok && body.success) showResult(body.data);
  else showError(response, body);
}

function authHeader() {
  const key = $("api-key").value.trim();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

function showResult(data) {
  showProblems([]);
  state.lastRequest = data.request;
  state.image = { width: data.width, height: data.height };
  const card = $("card");
  card.src = `data:${data.mime_type};base64,${data.buffer}`;
  card.dataset.key = data.key;
  card.alt = "";
  card.classList.remove("stale");
  const kb = (data.bytes / 1024).toFixed(1);
  $("summary").textContent =
    `${data.width}×${data.height} ${data.mime_type} · ${data.bytes.toLocaleString("en")} bytes (${kb} KiB) · ` +
    `key ${data.key} · rendered in ${Math.round(data.render_ms)} ms`;
  showFit(data.fit || []);
  $("warnings").replaceChildren(...(data.warnings || []).map((w) => el("li", { text: w })));
  showLink(data.link, data.notes || []);
  updateFrames(data);
  setStatus("up to date", "ok");
}

function showFit(fits) {
  const table = $("fit");
  table.hidden = fits.length === 0;
  table.tBodies[0].replaceChildren(
    ...fits.map((fit) =>
      el("tr", { class: fit.truncated ? "truncated" : "" },
        el("td", { text: fit.layer }),
        el("td", { text: `${fit.font_size_in_px} px` }),
        el("td", { text: String(fit.lines) }),
        el("td", { text: fit.truncated ? "yes" : "no" }),
        el("td", { text: (fit.fonts || []).join(", ") })),
    ),
  );
}

function showLink(link, notes) {
  $("og-url").value = link ? link.url : "";
  $("meta-tags").value = link ? link.meta.join("\n") : "";
  $("copy-url").disabled = !link;
  $("copy-meta").disabled = !link;
  const all = state.source === RAW ? ["a raw request has no /og/ URL: pick a template from the site"] : notes;
  $("notes").replaceChildren(...all.map((note) => el("li", { text: note })));
}

function showError(response, body) {
  const problems = body && Array.isArray(body.problems) && body.problems.length
    ? body.problems
    : [{ field: body?.field || null, message: body?.error || `${response.status} ${response.statusText}` }];
  $("card").classList.add("stale");
  if (response.status === 401) {
    $("key-field").hidden = false;
    setStatus(body?.error || "this server wants an API key", "error");
  } else if (response.status === 429) {
    const wait = Number(response.headers.get("Retry-After")) || 1;
    setStatus(`too many renders: trying again in ${wait} s`, "error");
    state.retryTimer = setTimeout(renderNow, wait * 1000);
  } else {
    setStatus(`${response.status}: ${problems.length} problem${problems.length > 1 ? "s" : ""}`, "error");
  }
  showProblems(problems.map((p) => ({ field: p.field || null, message: p.message || body.error })));
}

// Each problem goes to the field it names: the editor (template.* / request.*), a variable, the slug, or the card.
function showProblems(problems) {
  document.querySelectorAll(".problem").forEach((node) => (node.textContent = ""));
  document.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  const text = editor.text();
  let spans = null;
  const ranges = [];
  const listed = [];
  const elsewhere = [];
  for (const problem of problems) {
    const field = problem.field || "";
    const inEditor = problem.offset !== undefined || /^(template|request)(\.|\[|$)/.test(field);
    if (!inEditor) {
      const target = document.querySelector(`.problem[data-for="${CSS.escape(field)}"]`);
      if (target) {
        target.textContent = problem.message;
        target.parentElement.querySelector("input")?.setAttribute("aria-invalid", "true");
      } else elsewhere.push(field ? `${field}: ${problem.message}` : problem.message);
      continue;
    }
    let range;
    if (problem.offset !== undefined) range = [problem.offset, problem.offset + 1];
    else {
      try {
        spans ??= parseJson(text).spans;
      } catch {
        spans = new Map();
      }
      range = locate(spans, field.replace(/^(template|request)\.?/, ""), text);
      markVariables(text.slice(range[0], range[1]), problem.message);
    }
    ranges.push(range);
    const { line, column } = lineAndColumn(text, range[0]);
    const where = `line ${line}, column ${column}`;
    listed.push({ where, field, message: problem.message, range });
  }
  editor.mark(ranges);
  $("json-errors").replaceChildren(
    ...listed.map((p) => {
      const item = el("li", {}, el("button", { type: "button", class: "where", text: p.where }), " ",
        p.field ? el("code", { text: p.field }) : "", p.field ? " " : "", p.message);
      item.querySelector("button").addEventListener("click", () => select(p.range));
      return item;
    }),
  );
  $("card-error").replaceChildren(...elsewhere.map((m) => el("div", { text: m })));
}

// The span of `path`, or of its nearest ancestor that is in the text (a missing field, a normalised name);
// a span over several lines is marked on its first line.
function locate(spans, path, text) {
  let probe = path;
  while (probe && !spans.has(probe)) probe = probe.replace(/(\.[^.[\]]*|\[\d+\])$/, "");
  let [start, end] = spans.get(probe) || [0, 1];
  const lineEnd = text.indexOf("\n", start);
  if (lineEnd !== -1 && lineEnd < end) end = lineEnd;
  return [start, end];
}

function markVariables(snippet, message) {
  for (const m of snippet.matchAll(PLACEHOLDER)) {
    const target = document.querySelector(`.problem[data-for="${CSS.escape(`variables.${m[1]}`)}"]`);
    if (target) {
      target.textContent = message;
      target.parentElement.querySelector("input")?.setAttribute("aria-invalid", "true");
    }
  }
}

function select([start, end]) {
  const area = $("json");
  area.focus();
  area.setSelectionRange(start, end);
}

// ---- copying ----

async function copy(text, fallbackField) {
  let done = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      done = true;
    }
  } catch {
    done = false;
  }
  if (!done) {
    const field = $(fallbackField);
    field.focus();
    field.select();
    try {
      done = document.execCommand("copy");
    } catch {
      done = false;
    }
  }
  $("copy-status").textContent = done ? "copied" : "select the text and copy it (the browser refused)";
}

// ---- link preview frames ----

function visibleBox(frame, width, height) {
  if (!frame.ratio) return { x: 0, y: 0, w: width, h: height };
  if (frame.ratio > width / height) {
    const h = width / frame.ratio;
    return { x: 0, y: (height - h) / 2, w: width, h };
  }
  const w = height * frame.ratio;
  return { x: (width - w) / 2, y: 0, w, h: height };
}

function safeBox(width, height) {
  const boxes = FRAMES.map((frame) => visibleBox(frame, width, height));
  const x0 = Math.max(...boxes.map((b) => b.x)) + SAFE_MARGIN * width;
  const y0 = Math.max(...boxes.map((b) => b.y)) + SAFE_MARGIN * height;
  const x1 = Math.min(...boxes.map((b) => b.x + b.w)) - SAFE_MARGIN * width;
  const y1 = Math.min(...boxes.map((b) => b.y + b.h)) - SAFE_MARGIN * height;
  return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}

function buildFrames() {
  const box = $("frames");
  box.replaceChildren();
  for (const frame of FRAMES) {
    const media = el("div", { class: "media" }, el("img", { alt: "", class: "shot" }), el("div", { class: "safe" }));
    if (frame.id === "x") media.append(el("span", { class: "domain-pill" }));
    const text = el("div", { class: "text" },
      el("span", { class: "domain" }), el("strong", { class: "title" }));
    const parts = frame.id === "slack" || frame.id === "discord" ? [text, media] : [media, text];
    box.append(
      el("figure", { class: `frame ${frame.id}`, "data-frame": frame.id },
        el("figcaption", {}, el("b", { text: frame.name }), el("span", { class: "crop" })),
        el("div", { class: "post" }, ...parts)),
    );
  }
}

function updateFrames(data) {
  const src = $("card").src;
  const safe = safeBox(data.width, data.height);
  if (!$("preview-title").dataset.touched) $("preview-title").value = (data.alt || "").split(" · ")[0] || "";
  for (const frame of FRAMES) {
    const node = document.querySelector(`[data-frame="${frame.id}"]`);
    const vis = visibleBox(frame, data.width, data.height);
    let width = frame.width;
    if (!frame.ratio && frame.maxHeight) width = Math.min(width, (frame.maxHeight * data.width) / data.height);
    const media = node.querySelector(".media");
    media.style.width = `${Math.round(width)}px`;
    if (frame.ratio) node.querySelector(".post").style.width = `${Math.round(width) + 2}px`; // and its border
    media.style.aspectRatio = `${vis.w} / ${vis.h}`;
    const shot = node.querySelector(".shot");
    shot.src = src;
    // the whole image, scaled so the visible box fills the media box, shifted so the box is what shows
    shot.style.width = `${(data.width / vis.w) * 100}%`;
    shot.style.left = `${(-vis.x / vis.w) * 100}%`;
    shot.style.top = `${(-vis.y / vis.h) * 100}%`;
    const zone = node.querySelector(".safe");
    zone.style.left = `${((safe.x - vis.x) / vis.w) * 100}%`;
    zone.style.top = `${((safe.y - vis.y) / vis.h) * 100}%`;
    zone.style.width = `${(safe.w / vis.w) * 100}%`;
    zone.style.height = `${(safe.h / vis.h) * 100}%`;
    const cut = frame.ratio ? cropNote(vis, data.width, data.height) : "";
    node.querySelector(".crop").textContent = ` · ${frame.note}${cut}`;
  }
  updateFrameText();
}

function cropNote(vis, width, height) {
  const side = Math.round((width - vis.w) / 2);
  const top = Math.round((height - vis.h) / 2);
  if (side > 0) return ` (hides ${side} px left and right)`;
  if (top > 0) return ` (hides ${top} px top and bottom)`;
  return "";
}

function updateFrameText() {
  const title = $("preview-title").value;
  const domain = $("preview-domain").value;
  document.querySelectorAll(".frame .title").forEach((node) => (node.textContent = title));
  document.querySelectorAll(".frame .domain").forEach((node) => (node.textContent = domain));
  document.querySelectorAll(".frame .domain-pill").forEach((node) => (node.textContent = domain));
}

// ---- start ----

async function loadSite() {
  let response, body;
  try {
    response = await fetch("playground/site", { headers: authHeader() });
    body = await response.json();
  } catch (error) {
    setStatus(`the server did not answer: ${error.message}`, "error");
    return;
  }
  if (!response.ok || !body.success) {
    if (response.status === 401) $("key-field").hidden = false;
    setStatus(body?.error || `${response.status} ${response.statusText}`, "error");
    return;
  }
  state.site = body.data;
  $("preview-domain").value = new URL(body.data.base_url).host;
  fillSources();
  chooseSource(state.site.templates.length ? state.site.templates[0].name : RAW);
}

function start() {
  buildFrames();
  const area = $("json");
  area.addEventListener("input", () => {
    editor.mark([]);
    syncVariables();
    schedule();
  });
  area.addEventListener("scroll", () => editor.scroll());
  area.addEventListener("keyup", () => {
    const { line, column } = lineAndColumn(area.value, area.selectionStart);
    $("json-position").textContent = `line ${line}, column ${column}`;
  });
  $("source").addEventListener("change", (event) => chooseSource(event.target.value));
  $("slug").addEventListener("input", () => schedule());
  $("api-key").addEventListener("change", () => (state.site ? schedule(0) : loadSite()));
  $("copy-url").addEventListener("click", () => copy($("og-url").value, "og-url"));
  $("copy-meta").addEventListener("click", () => copy($("meta-tags").value, "meta-tags"));
  $("safe-zone").addEventListener("change", (event) => {
    $("frames").classList.toggle("show-safe", event.target.checked);
  });
  $("preview-title").addEventListener("input", (event) => {
    event.target.dataset.touched = "1";
    updateFrameText();
  });
  $("preview-domain").addEventListener("input", updateFrameText);
  loadSite();
}

document.addEventListener("DOMContentLoaded", start);
