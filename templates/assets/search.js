/* 公开 Gongkai — the search page: asks Pagefind's index (pagefind/, written by the build) and lists what
   it finds as plain links, each with the words around the match. The status line is announced. */
const form = document.querySelector("[data-search-page]");
const input = document.getElementById("search-page-query");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const root = new URL("../", import.meta.url);

function say(text) { status.textContent = text; }

function item(result) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = new URL(result.url, location.href).href;  // Pagefind gives the path from the server root
  link.textContent = result.meta.title || result.url;
  const excerpt = document.createElement("p");
  excerpt.className = "search-excerpt";
  excerpt.innerHTML = result.excerpt;  // Pagefind escapes the page text and marks the match with <mark>
  li.append(link, excerpt);
  return li;
}

async function run(query) {
  list.replaceChildren();
  if (!query.trim()) { say("请输入要搜索的词。"); return; }
  say("正在搜索……");
  let pagefind;
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
  } catch (error) {
    say("本网站的搜索索引尚未生成（或浏览器直接打开了本地文件），暂时无法搜索。请按单位或按年度浏览。");
    return;
  }
  const search = await pagefind.search(query);
  const results = await Promise.all(search.results.slice(0, 50).map((r) => r.data()));
  list.replaceChildren(...results.map(item));
  say(results.length ? `找到 ${search.results.length} 份报告含有“${query}”${search.results.length > 50 ? "，列出前 50 份" : ""}。`
    : `没有找到含有“${query}”的报告。`);
}

const query = new URLSearchParams(location.search).get("q") || "";
input.value = query;
if (query) run(query);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?q=${encodeURIComponent(input.value)}`);
  run(input.value);
});
