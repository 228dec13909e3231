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
// the labels below follow that command's text output (universal / association, whose statement).
const CURIE = /^[A-Za-z][\w.-]*:[^\s()]*$/;

function cardTerm(node) {
  // a term of the card: {curie, label}; a union or an expression has no CURIE to open
  if (CURIE.test(node.curie)) {
    const wrap = termLink(node.curie, node.label, node.curie);
    return wrap;
  }
  const span = document.createElement("span");
  span.textContent = node.label || node.curie;
  return span;
}

function qualifiers(s) {
  if (s.kind === "universal") return "universal";
  const frequency = s.frequency || "frequency not given";
  const parts = [frequency.startsWith("frequency") ? frequency : "frequency: " + frequency];
  for (const [name, value] of [["source wording", s.wording], ["efficacy", s.efficacy],
                               ["letter", s.letter]]) {
    if (value) parts.push(name + ": " + value);
  }
  if (s.knowledge_level === "observation") parts.push("observation");
  return "association; " + parts.join("; ");
}

function whose(s) {
  const about = s.about.label || s.about.curie;
  if (s.scope === "inherited") return "inherited from " + about;
  if (s.scope === "subtype") return "of subtype " + about;
  if (s.scope === "ancestor") return "said of ancestor " + about + ", not inherited";
  return "own";
}

function supportQuote(support) {
  const quote = document.createElement("blockquote");
  quote.className = "support";
  quote.textContent = "“" + support.quote + "” (" + support.source +
    (support.evidence ? ", " + support.evidence : "") + ")";
  return quote;
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

function statementItem(s) {
  const li = document.createElement("li");
  li.className = "statement " + s.kind;
  li.dataset.kind = s.kind;
  li.dataset.scope = s.scope;
  li.append(cardTerm(s.subject), document.createTextNode(" —" +
    (s.relation.label || s.relation.curie) + "→ "), cardTerm(s.object));
  const tag = document.createElement("span");
  tag.className = "qualifiers";
  tag.textContent = " [" + qualifiers(s) + "; " + whose(s) + "]";
  li.appendChild(tag);
  for (const value of s.values || []) {
    const v = document.createElement("div");
    v.className = "values";
    v.textContent = "values: " + value;
    li.appendChild(v);
  }
  for (const support of s.support || []) li.appendChild(supportQuote(support));
  return li;
}

async function openCard(id) {
  const card = $("card");
  try {
    const { data } = await getJSON("/api/card?class=" + encodeURIComponent(id));
    card.replaceChildren();
    const h = document.createElement("h2");
    h.id = "card-title";
    h.textContent = data.term.label || data.term.curie;
    const curie = document.createElement("p");
    curie.className = "curie";
    curie.textContent = data.term.curie + (data.deprecated ? " [obsolete]" : "");
    card.append(h, curie);
    if (data.definition) {
      heading(card, "Definition");
      const p = document.createElement("p");
      p.id = "card-definition";
      p.textContent = data.definition;
      card.appendChild(p);
      for (const support of data.definition_support) card.appendChild(supportQuote(support));
    }
    textList(card, "Logical definition", data.logical_definition ? [data.logical_definition] : []);
    textList(card, "Values", data.values);
    textList(card, "Synonyms", data.synonyms);
    textList(card, "Mappings", data.mappings);
    termList(card, "Parents", data.parents);
    termList(card, "Subtypes", data.subtypes);
    for (const [group, statements] of Object.entries(data.groups)) {
      heading(card, group.charAt(0).toUpperCase() + group.slice(1) + " (" + statements.length + ")");
      const list = document.createElement("ul");
      list.dataset.group = group;
      for (const s of statements) list.appendChild(statementItem(s));
      card.appendChild(list);
    }
    textList(card, "Reference ranges", data.reference_ranges);
    if (!Object.keys(data.groups).length) {
      const p = document.createElement("p");
      p.textContent = "no statements about it (only its definition and place in the hierarchy)";
      card.appendChild(p);
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
