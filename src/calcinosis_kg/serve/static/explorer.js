// calcinosis-kg explorer: bundled questions, SPARQL, results with labels, class cards, search.
// Every request goes to the server that sent this page; the DOM is built with textContent only.
"use strict";

const $ = (id) => document.getElementById(id);
let queries = [];

function setStatus(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const text = await response.text();
  if (!response.ok) throw new Error(text.trim() || response.statusText);
  return { data: JSON.parse(text), headers: response.headers };
}

function termLink(iri, label, curie) {
  const link = document.createElement("a");
  link.href = "#" + encodeURIComponent(iri);
  link.className = "term";
  link.dataset.iri = iri;
  link.textContent = label || curie || iri;
  link.title = iri;
  link.addEventListener("click", (event) => { event.preventDefault(); openCard(iri); });
  const wrap = document.createElement("span");
  wrap.appendChild(link);
  if (label) {
    const small = document.createElement("span");
    small.className = "curie";
    small.textContent = curie || iri;
    wrap.appendChild(small);
  }
  return wrap;
}

function showResults(data, headers) {
  const table = $("results");
  table.replaceChildren();
  if (typeof data.boolean === "boolean") {
    setStatus("ASK: " + data.boolean);
    return;
  }
  const vars = data.head.vars;
  const head = table.createTHead().insertRow();
  for (const name of vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  const labels = data.labels || {};
  const curies = data.curies || {};
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of vars) {
      const cell = row.insertCell();
      const value = binding[name];
      if (!value) continue;
      if (value.type === "uri") {
        cell.appendChild(termLink(value.value, labels[value.value], curies[value.value]));
      } else {
        cell.textContent = value.value;
      }
    }
  }
  const rows = data.results.bindings.length;
  const truncated = headers.get("X-Rows-Truncated") === "true";
  setStatus(rows + " row" + (rows === 1 ? "" : "s") +
    (truncated ? " (cut at the server's row limit of " + headers.get("X-Row-Limit") + ")" : ""));
}

async function runSparql() {
  setStatus("running…");
  const form = new URLSearchParams({ query: $("sparql").value });
  try {
    const { data, headers } = await getJSON("/sparql?labels=1", {
      method: "POST", body: form,
      headers: { "Accept": "application/sparql-results+json" },
    });
    showResults(data, headers);
  } catch (error) {
    $("results").replaceChildren();
    setStatus(error.message, true);
  }
}

async function runQuestion() {
  const query = queries[$("question").selectedIndex];
  if (!query) return;
  const params = new URLSearchParams({ labels: "1" });
  for (const input of $("parameters").querySelectorAll("input")) {
    if (input.value.trim()) params.set(input.name, input.value.trim());
  }
  setStatus("running…");
  try {
    const { data, headers } = await getJSON(
      "/queries/" + encodeURIComponent(query.name) + "?" + params,
      { headers: { "Accept": "application/sparql-results+json" } });
    showResults(data, headers);
  } catch (error) {
    $("results").replaceChildren();
    setStatus(error.message, true);
  }
}

function showQuestion() {
  const query = queries[$("question").selectedIndex];
  const box = $("parameters");
  box.replaceChildren();
  if (!query) return;
  $("question-text").textContent = query.question || query.title;
  for (const name of query.parameters) {
    const label = document.createElement("label");
    label.textContent = "?" + name + " ";
    const input = document.createElement("input");
    input.name = name;
    input.value = (query.example || {})[name] || "";
    label.appendChild(input);
    box.appendChild(label);
  }
}

// The class card is the JSON of `calcinosis-kg show --format json` (answers.show_render.to_dict):
// the same key, rows, folded ancestors, subtypes' entries and numbered notes as the command's
// text; each row's line is the text renderer's (row.text), its terms are links.
const CURIE = /^[A-Za-z][\w.-]*:[^\s()]*$/;

function cardTerm(node) {
  // a term of the card: {curie, label, everyday}; a union or an expression has no CURIE to open
  const name = node.everyday ? node.everyday + " (" + node.label + ")" : node.label;
  if (CURIE.test(node.curie)) return termLink(node.curie, name, node.curie);
  const span = document.createElement("span");
  span.textContent = node.label || node.curie;
  return span;
}

function notesText(numbers) {
  return (numbers || []).map((n) => "[" + n + "]").join("");
}

function heading(card, title) {
  const h = document.createElement("h3");
  h.textContent = title;
  card.appendChild(h);
}

function termList(card, title, terms) {
  heading(card, title);
  const p = document.createElement("p");
  if (!terms.length) p.textContent = "none";
  terms.forEach((node, i) => {
    if (i) p.appendChild(document.createTextNode("; "));
    p.appendChild(cardTerm(node));
  });
  card.appendChild(p);
}

function textList(card, title, items) {
  if (!items || !items.length) return;
  heading(card, title);
  const p = document.createElement("p");
  p.textContent = items.join("; ");
  card.appendChild(p);
}

function rowItem(row) {
  // one row: its line as `show` prints it, then its terms as links
  const li = document.createElement("li");
  li.dataset.group = row.group;
  li.className = "statement " + row.kind;
  li.dataset.kind = row.kind;
  li.dataset.scope = row.scope;
  li.dataset.items = String(row.items.length);
  const line = document.createElement("span");
  line.className = "row-text";
  line.textContent = row.text;
  li.appendChild(line);
  const links = document.createElement("div");
  links.className = "terms";
  row.items.forEach((item, i) => {
    if (i) links.appendChild(document.createTextNode(", "));
    links.appendChild(cardTerm(item.term));
  });
  li.appendChild(links);
  for (const item of row.items) {
    for (const value of item.values || []) {
      const v = document.createElement("div");
      v.className = "values";
      v.textContent = "values: " + value;
      li.appendChild(v);
    }
  }
  return li;
}

function foldedItem(folded) {
  // an ancestor's records: one counted line, its rows listed when opened
  const li = document.createElement("li");
  li.className = "folded";
  li.dataset.count = String(folded.count);
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = folded.text.replace(" (show --all lists them)", "");
  details.appendChild(summary);
  const list = document.createElement("ul");
  for (const row of folded.rows) list.appendChild(rowItem(row));
  details.appendChild(list);
  li.appendChild(details);
  return li;
}

function kindItem(kind) {
  // one subtype's statements: its name (a link), then its rows as `show` prints them
  const li = document.createElement("li");
  li.className = "kind";
  li.dataset.count = String(kind.count);
  li.appendChild(cardTerm(kind.term));
  const list = document.createElement("ul");
  for (const row of kind.rows) list.appendChild(rowItem(row));
  li.appendChild(list);
  return li;
}

async function openCard(id) {
  const card = $("card");
  try {
    const { data } = await getJSON("/api/card?class=" + encodeURIComponent(id));
    card.replaceChildren();
    const h = document.createElement("h2");
    h.id = "card-title";
    h.textContent = data.term.everyday || data.term.label || data.term.curie;
    const curie = document.createElement("p");
    curie.className = "curie";
    curie.textContent = data.term.curie + (data.term.everyday ? " " + data.term.label : "") +
      (data.deprecated ? " [obsolete]" : "");
    card.append(h, curie);
    if (data.definition) {
      heading(card, "Definition");
      const p = document.createElement("p");
      p.id = "card-definition";
      p.textContent = data.definition + " " + notesText(data.definition_notes);
      card.appendChild(p);
    }
    for (const namesake of data.namesakes) {
      const p = document.createElement("p");
      p.className = "namesake";
      p.textContent = "Not the same as " + namesake.other.label + " (" + namesake.other.curie +
        "): " + namesake.text;
      card.appendChild(p);
    }
    textList(card, "Logical definition", data.logical_definition ? [data.logical_definition] : []);
    textList(card, "Values", data.values);
    if (data.comment) textList(card, "Comment", [data.comment]);
    for (const line of data.header) {
      // synonyms, mappings, parents, other superclasses, disjoint classes: as `show` prints them
      const p = document.createElement("p");
      p.className = "header-line";
      p.textContent = line.name + ": " + line.text;
      card.appendChild(p);
    }
    termList(card, "Parents", data.parents);
    termList(card, "Subtypes", data.subtypes);
    if (data.key) {
      const p = document.createElement("p");
      p.className = "key";
      p.textContent = data.key;
      card.appendChild(p);
    }
    for (const section of data.sections) {
      heading(card, section.group.charAt(0).toUpperCase() + section.group.slice(1) +
        " (" + section.count + ")");
      const list = document.createElement("ul");
      list.dataset.group = section.group;
      for (const entry of section.entries) {
        list.appendChild(entry.folded ? foldedItem(entry.folded) : rowItem(entry));
      }
      card.appendChild(list);
    }
    if (data.subtype_statements.length) {
      heading(card, data.subtype_heading.charAt(0).toUpperCase() + data.subtype_heading.slice(1));
      const list = document.createElement("ul");
      list.id = "card-subtypes";
      for (const kind of data.subtype_statements) list.appendChild(kindItem(kind));
      card.appendChild(list);
    }
    if (data.reference_ranges_text) {
      const p = document.createElement("p");
      p.className = "ranges";
      p.textContent = data.reference_ranges_text;
      card.appendChild(p);
    } else {
      textList(card, "Reference ranges", data.reference_ranges);
    }
    if (!data.sections.length && !data.subtype_statements.length) {
      const p = document.createElement("p");
      p.textContent = "no statements about it (only its definition and place in the hierarchy)";
      card.appendChild(p);
    }
    if (data.notes.length) {
      heading(card, "Notes (" + data.notes_heading + ")");
      const notes = document.createElement("ol");
      notes.id = "card-notes";
      for (const note of data.notes) {
        const li = document.createElement("li");
        li.value = note.number;
        li.className = "support";
        li.textContent = note.text;
        notes.appendChild(li);
      }
      card.appendChild(notes);
    }
    card.hidden = false;
  } catch (error) {
    setStatus(error.message, true);
  }
}

async function search(event) {
  event.preventDefault();
  const text = $("search").value.trim();
  const box = $("search-results");
  if (!text) return;
  try {
    const { data } = await getJSON("/api/search?q=" + encodeURIComponent(text));
    box.replaceChildren();
    const h = document.createElement("h2");
    h.textContent = data.length + " match" + (data.length === 1 ? "" : "es") + " for “" + text + "”";
    const list = document.createElement("ul");
    for (const hit of data) {
      const li = document.createElement("li");
      li.appendChild(termLink(hit.iri, hit.label, hit.curie));
      if (hit.matched) li.appendChild(document.createTextNode(" (" + hit.field + ": " + hit.matched + ")"));
      list.appendChild(li);
    }
    box.append(h, list);
    box.hidden = false;
  } catch (error) {
    setStatus(error.message, true);
  }
}

async function start() {
  $("endpoint").textContent = location.origin + "/sparql";
  $("run-sparql").addEventListener("click", runSparql);
  $("run-question").addEventListener("click", runQuestion);
  $("question").addEventListener("change", showQuestion);
  $("search-form").addEventListener("submit", search);
  try {
    queries = (await getJSON("/queries")).data;
  } catch (error) {
    setStatus(error.message, true);
    return;
  }
  for (const query of queries) {
    const option = document.createElement("option");
    option.value = query.name;
    option.textContent = query.name + " — " + query.title;
    $("question").appendChild(option);
  }
  showQuestion();
  document.body.dataset.ready = "true";
}

start();
