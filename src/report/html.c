/* html.c - one self-contained HTML page: summary counts, the test table
 * (flaky first), the race pairs as cards (both sites' stacks side by side,
 * one-sided pairs said to be so, the symptoms each pair explains), a legend
 * of the evidence words, a sortable and filterable cluster table with
 * expandable traces, and an inline SVG strip per cluster of where it
 * occurred.
 *
 * Layout: readable from a phone to a wide screen without a page that
 * scrolls sideways - tables turn into stacked rows below 720 px, stacks
 * wrap or scroll inside their own box, long C++/Go names are shortened
 * with the full name in a title attribute. tests/html.sh measures it in
 * Chromium at 800 and 1400 px.
 *
 * Self-contained: inline CSS and one small inline script, no network (a
 * Content-Security-Policy forbids every fetch), local font stacks only.
 * The page is complete without the script; the script only sorts and
 * filters rows already there, and reads no artifact data of its own.
 *
 * Everything from an artifact goes through h(), which escapes & < > " '
 * and neutralizes control characters, bidi controls and invalid UTF-8, and
 * is only ever written into element content or quoted attributes - never
 * into <script> or <style>. Bytes depend only on the model (no time). */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../base/error.h"
#include "report.h"

#define HTML_MAX_FRAMES 64      /* frames shown per trace */
#define HTML_MAX_OCCURRENCES 25 /* occurrences listed per cluster */
#define HTML_MAX_BINS 96        /* bars in a cluster's chart */
#define HTML_CHART_W 192
#define HTML_CHART_H 28
#define HTML_SITE_FRAMES 8   /* frames of a race site's stack on its card */
#define HTML_SITE_ABOVE 2    /* of which, frames above the site (map internals) */
#define HTML_MAX_LINKS 50    /* linked failures listed per race card */
#define HTML_MAX_EXPLAINS 12 /* clusters listed as explained per race card */
#define HTML_MAX_TESTS 1000  /* rows of the test table (the JSON has all) */
#define HTML_NAME_MAX 160    /* bytes of a function name before it is shortened */

static void h(FILE *f, const char *s)
{
    if (!s) return;
    char esc[CS_REPORT_ESC_MAX];
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = cs_report_char(s + i, n - i, esc);
        if (esc[0]) {
            fputs(esc, f); /* ASCII letters, digits and a backslash */
        } else {
            switch (s[i]) {
            case '&':
                fputs("&amp;", f);
                break;
            case '<':
                fputs("&lt;", f);
                break;
            case '>':
                fputs("&gt;", f);
                break;
            case '"':
                fputs("&quot;", f);
                break;
            case '\'':
                fputs("&#39;", f);
                break;
            default:
                fwrite(s + i, 1, k, f);
            }
        }
        i += k;
    }
}

/* A table as stacked rows: each row a block, each cell a line with its
 * column name (data-label) before the value, the header a row of sort
 * buttons. One definition for the two widths that use it. */
#define STACKED(T)                                                                                 \
    T "," T " tbody," T " tr," T " td{display:block;width:100%}" T " colgroup{display:none}" T     \
      " thead tr{display:flex;flex-wrap:wrap;gap:4px;padding:6px}" T                               \
      " thead th{border:1px solid var(--line);border-radius:6px;padding:3px 8px}" T                \
      " thead th:not([data-sort]){display:none}" T                                                 \
      " tr{border-bottom:1px solid var(--line);padding:6px 10px}" T                                \
      " td{border:0;padding:2px 0;text-align:left}" T                                              \
      " td[data-label]::before{content:attr(data-label);display:inline-block;min-width:7.5em;"     \
      "color:var(--muted);font:12px var(--sans)}"

static const char css[] =
    ":root{--bg:#f6f7f9;--panel:#fff;--ink:#1f2328;--muted:#59636e;--faint:#8c959f;"
    "--line:#d8dee4;--accent:#1f5fa8;--accent-soft:#e8f0fa;--map:#a8321e;--map-soft:#fbeeeb;"
    "--data:#94600b;--data-soft:#fbf4e6;--flaky:#7a4d00;--flaky-soft:#fff4d6;"
    "--mono:ui-monospace,SFMono-Regular,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    "--sans:system-ui,-apple-system,'Segoe UI','DejaVu Sans',Roboto,sans-serif}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 var(--sans);"
    "overflow-wrap:break-word}\n"
    "main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 12px}\n"
    "h2 .n{color:var(--muted);font-weight:400}\n"
    ".meta{color:var(--muted);margin:0;overflow-wrap:anywhere}\n"
    "code,.mono{font-family:var(--mono);font-size:12.5px}\n"
    "a{color:var(--accent)}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(104px,1fr));gap:10px;"
    "margin-top:18px;max-width:1000px}\n"
    ".card{background:var(--panel);border:1px solid var(--line);border-radius:8px;"
    "padding:10px 14px;min-width:0}\n"
    ".card b{display:block;font-size:22px}.card span{color:var(--muted)}\n"
    ".card.alert b{color:var(--map)}\n"
    ".race{background:var(--panel);border:1px solid var(--line);border-left:4px solid var(--data);"
    "border-radius:8px;padding:14px 16px;margin:0 0 14px}\n"
    ".race.map{border-left-color:var(--map)}\n"
    ".race h3{font-size:15px;margin:0 0 10px;font-weight:600;overflow-wrap:anywhere}\n"
    ".badge{display:inline-block;font-size:11px;font-weight:700;letter-spacing:.04em;"
    "padding:1px 7px;border-radius:10px;margin-right:6px;vertical-align:1px;"
    "background:var(--data-soft);color:var(--data)}\n"
    ".badge.map{background:var(--map-soft);color:var(--map)}\n"
    ".badge.partial{background:#eef2f7;color:#475569;border:1px dashed #94a3b8}\n"
    ".hist{font-size:11px;font-weight:600;padding:1px 6px;border-radius:8px;"
    "background:#eef2f7;color:#475569}\n"
    ".hist.new{background:#fef3c7;color:#92400e}.hist.regressed{background:#fee2e2;"
    "color:#991b1b}\n"
    ".sites{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:12px}\n"
    ".site{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:#fbfcfd;"
    "min-width:0}\n"
    ".site.missing{border-style:dashed;background:repeating-linear-gradient(135deg,#fbfcfd 0 8px,"
    "#f3f5f8 8px 16px)}\n"
    ".site .lbl{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--faint)}\n"
    ".site .fn{font-family:var(--mono);font-weight:600;overflow-wrap:anywhere}\n"
    ".site .loc{font-family:var(--mono);font-size:12.5px;color:var(--accent);"
    "overflow-wrap:anywhere}\n"
    ".site .who{color:var(--muted);font-size:12.5px;margin-top:4px;overflow-wrap:anywhere}\n"
    ".facts{margin:10px 0 0;display:grid;grid-template-columns:max-content minmax(0,1fr);"
    "gap:4px 14px}\n"
    ".facts dt{color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere;min-width:0}\n"
    ".facts ul{margin:0;padding-left:18px}\n"
    ".chip{display:inline-block;border:1px solid var(--line);border-radius:10px;"
    "padding:0 8px;margin:0 4px 2px 0;font-size:12px;background:#fbfcfd;color:var(--ink);"
    "text-decoration:none}\n"
    "a.chip:hover{border-color:var(--accent)}\n"
    ".verdict{font-size:12px;font-weight:600;padding:0 6px;border-radius:8px;white-space:nowrap}\n"
    ".verdict.flaky{background:var(--flaky-soft);color:var(--flaky)}\n"
    ".verdict.failing{background:var(--map-soft);color:var(--map)}\n"
    ".verdict.passing{background:#e9f6ec;color:#1a6b34}\n"
    ".note{margin:10px 0 0;padding:8px 12px;background:var(--accent-soft);border-radius:6px}\n"
    "dl.legend{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:6px 14px;"
    "margin:0;background:var(--panel);border:1px solid var(--line);border-radius:8px;"
    "padding:12px 16px}\n"
    "dl.legend dd{margin:0}dl.legend dt{white-space:nowrap}\n"
    ".toolbar{display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin:0 0 10px}\n"
    "#filter{flex:0 1 420px;min-width:0;width:100%;padding:6px 10px;border:1px solid "
    "var(--line);border-radius:6px;font:inherit;background:var(--panel)}\n"
    "#shown{color:var(--muted)}\n"
    "table{border-collapse:collapse;width:100%;background:var(--panel);"
    "border:1px solid var(--line);border-radius:8px}\n"
    "th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid "
    "var(--line);overflow-wrap:anywhere}\n"
    "th{font-size:12px;color:var(--muted);background:#f0f2f5;user-select:none;"
    "overflow-wrap:normal}\n"
    "th[data-sort]{cursor:pointer}th[data-sort]:hover{color:var(--ink)}\n"
    "th[aria-sort=ascending]::after{content:' \\25B2'}"
    "th[aria-sort=descending]::after{content:' \\25BC'}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;"
    "overflow-wrap:normal}\n"
    "table.tests td{overflow-wrap:break-word}table.tests "
    "td.name{overflow-wrap:anywhere;min-width:9em}\n"
    "table.tests td code{font-size:12px}\n"
    "#ctable{table-layout:fixed}\n"
    "col.c-count{width:64px}col.c-id{width:112px}col.c-kind{width:108px}col.c-tests{width:170px}"
    "col.c-art{width:84px}col.c-where{width:216px}\n"
    "summary{cursor:pointer}\n"
    ".kind{font-family:var(--mono);font-size:12px}\n"
    ".sigline{font-family:var(--mono);font-size:12px;color:var(--muted);margin:6px 0;"
    "overflow-wrap:anywhere}\n"
    "ol.frames{list-style:none;margin:6px 0;padding:8px 10px;background:#f6f8fa;"
    "border-radius:6px;font-family:var(--mono);font-size:12px;overflow-x:auto;max-width:100%}\n"
    "ol.frames li{white-space:pre;line-height:1.6}\n"
    "ol.frames.wrap li{white-space:normal;overflow-wrap:anywhere;padding-left:1.2em;"
    "text-indent:-1.2em}\n"
    "ol.frames li.ins{color:var(--faint)}\n"
    "ol.frames li.sig{color:var(--ink);font-weight:600}\n"
    "ol.frames li.sig::before{content:'\\25B8 ';color:var(--accent)}\n"
    "ol.frames li.ins::before{content:'  '}\n"
    "ol.frames li.here{background:var(--accent-soft);border-radius:3px}\n"
    "ol.frames .at{font-weight:400;color:var(--accent)}ol.frames li.ins .at{color:var(--faint)}\n"
    "ul.occ{margin:4px 0 0;padding-left:18px;font-family:var(--mono);font-size:12px;"
    "color:var(--muted);overflow-wrap:anywhere}\n"
    "svg.strip{display:block;width:100%;max-width:192px;height:auto}"
    "svg.strip rect.bar{fill:var(--accent)}svg.strip line{stroke:var(--line)}\n"
    "tr[hidden]{display:none!important}\n"
    ".errors td:first-child{font-family:var(--mono);font-size:12px}\n"
    "footer{margin-top:36px;color:var(--faint);font-size:12px}\n"
    "#js-status{display:none}#selftest,#layout{white-space:pre-wrap;overflow-wrap:anywhere}\n"
    /* 800 px and tablets: less padding; the cluster table (seven columns,
     * traces inside) becomes stacked rows: the numbers and ids on one line,
     * the failure and its trace the full width below. */
    "@media (max-width:900px){main{padding:18px 14px 40px}" STACKED(
        "#ctable") "#ctable td{display:inline-block;width:auto;padding:2px 14px 2px "
                   "0;vertical-align:middle}"
                   "#ctable td.fail{display:block;width:100%;padding:4px 0}"
                   "#ctable td[data-label]::before{min-width:0;margin-right:6px}}\n"
                   /* Phones: race sites one above the other, every table stacked. */
                   "@media (max-width:720px){.sites{grid-template-columns:minmax(0,1fr)}"
                   ".facts,dl.legend{grid-template-columns:minmax(0,1fr)}.facts dt{margin-top:4px}"
                   "dl.legend dt{white-space:normal}" STACKED("table.stack") "}\n";

/* The script reads only the DOM built above; it never embeds artifact
 * text. ?selftest makes it exercise sort and filter and write the outcome
 * into #selftest (the headless browser test reads it with --dump-dom). */
static const char js[] =
    "(function(){'use strict';\n"
    "var st=document.getElementById('js-status');\n"
    "window.addEventListener('error',function(e){st.textContent='SCRIPT ERROR: '+e.message;});\n"
    "var table=document.getElementById('ctable');\n"
    "if(!table){st.textContent='ready';"
    "if(/[?&]selftest(?:[=&]|$)/.test(location.search))layout();"
    "document.documentElement.setAttribute('data-ready','1');return;}\n"
    "var tbody=table.tBodies[0],heads=table.tHead.rows[0].cells;\n"
    "var filter=document.getElementById('filter'),shown=document.getElementById('shown');\n"
    "function key(row,i,num){var td=row.cells[i],v=td.getAttribute('data-v');\n"
    " if(v===null){var s=td.querySelector('summary');v=(s||td).textContent;}\n"
    " return num?parseFloat(v):v.toLowerCase();}\n"
    "function sortBy(i,dir){var num=heads[i].getAttribute('data-type')==='num';\n"
    " var rows=Array.prototype.slice.call(tbody.rows);\n"
    " rows.sort(function(a,b){var x=key(a,i,num),y=key(b,i,num);\n"
    "  var c=x<y?-1:x>y?1:0;if(c)return dir*c;return a.id<b.id?-1:a.id>b.id?1:0;});\n"
    " rows.forEach(function(r){tbody.appendChild(r);});\n"
    " for(var k=0;k<heads.length;k++)heads[k].removeAttribute('aria-sort');\n"
    " heads[i].setAttribute('aria-sort',dir>0?'ascending':'descending');}\n"
    "function toggle(i){var th=heads[i],cur=th.getAttribute('aria-sort');\n"
    " var dir=cur==='descending'?1:cur==='ascending'?-1:"
    "(th.getAttribute('data-type')==='num'?-1:1);sortBy(i,dir);}\n"
    "Array.prototype.forEach.call(heads,function(th,i){if(!th.hasAttribute('data-sort'))return;\n"
    " th.tabIndex=0;th.addEventListener('click',function(){toggle(i);});\n"
    " th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' ')"
    "{e.preventDefault();toggle(i);}});});\n"
    "function applyFilter(){var q=filter.value.trim().toLowerCase(),n=0;\n"
    " Array.prototype.forEach.call(tbody.rows,function(r){"
    "var ok=!q||r.textContent.toLowerCase().indexOf(q)>=0;r.hidden=!ok;if(ok)n++;});\n"
    " shown.textContent=n+' of '+tbody.rows.length+' shown';}\n"
    "filter.addEventListener('input',applyFilter);\n"
    "function col(name){for(var i=0;i<heads.length;i++)"
    "if(heads[i].getAttribute('data-sort')===name)return i;return -1;}\n"
    "var m=/(?:^|[#&])sort=(-?)(\\w+)/.exec(location.hash);\n"
    "if(m&&col(m[2])>=0)sortBy(col(m[2]),m[1]?-1:1);\n"
    "function selftest(){var out=document.getElementById('selftest'),why=[];\n"
    " function vis(){return Array.prototype.filter.call(tbody.rows,function(r){"
    "return !r.hidden;});}\n"
    " function ordered(i,num,dir){var v=vis().map(function(r){return key(r,i,num);});\n"
    "  for(var k=1;k<v.length;k++)if(dir*(v[k]<v[k-1]?-1:v[k]>v[k-1]?1:0)<0)return false;"
    "return true;}\n"
    " var c=col('count'),id=col('id');\n"
    " if(c<0||id<0)why.push('no sortable columns');else{\n"
    "  heads[id].click();if(!ordered(id,false,1))why.push('id ascending');\n"
    "  heads[c].click();if(!ordered(c,true,-1))why.push('count descending');\n"
    "  heads[c].click();if(!ordered(c,true,1))why.push('count ascending');\n"
    "  heads[id].click();heads[id].click();if(!ordered(id,false,-1))why.push('id descending');\n"
    "  var first=tbody.rows.length?tbody.rows[0].id:'';\n"
    "  filter.value=first;filter.dispatchEvent(new Event('input'));\n"
    "  if(first&&(vis().length!==1||vis()[0].id!==first))why.push('filter by id');\n"
    "  filter.value='no such text \\u2603';filter.dispatchEvent(new Event('input'));\n"
    "  if(vis().length!==0)why.push('filter excludes');\n"
    "  filter.value='';filter.dispatchEvent(new Event('input'));\n"
    "  if(vis().length!==tbody.rows.length)why.push('filter cleared');\n"
    "  heads[c].click();}\n"
    " out.textContent=why.length?'SELFTEST FAIL: '+why.join(', '):'SELFTEST OK';"
    "out.hidden=false;}\n"
    "applyFilter();\n"
    "if(/[?&]selftest(?:[=&]|$)/.test(location.search))selftest();\n"
    /* The layout check: with every <details> open, the page must not be
     * wider than the window; the widest elements that stick out (outside a
     * box that scrolls on its own) are named. */
    "function layout(){var out=document.getElementById('layout'),de=document.documentElement;\n"
    " var ds=document.querySelectorAll('details');\n"
    " Array.prototype.forEach.call(ds,function(d){d.open=true;});\n"
    " var w=de.clientWidth,sw=de.scrollWidth,bad=[];\n"
    " function clipped(e){for(e=e.parentElement;e&&e!==de;e=e.parentElement){"
    "var o=getComputedStyle(e).overflowX;if(o==='auto'||o==='scroll'||o==='hidden')return true;}"
    "return false;}\n"
    " Array.prototype.forEach.call(document.body.querySelectorAll('*'),function(e){"
    "var r=e.getBoundingClientRect();if(r.right>w+1&&!clipped(e))bad.push([r.right,e]);});\n"
    " bad.sort(function(a,b){return b[0]-a[0];});\n"
    " var names=bad.slice(0,4).map(function(b){var e=b[1];return e.tagName.toLowerCase()+"
    "(e.id?'#'+e.id:'')+(e.className&&typeof e.className==='string'?'.'+"
    "e.className.split(' ')[0]:'')+' '+Math.round(b[0])+'px';});\n"
    " out.textContent=(sw>w||bad.length?'LAYOUT FAIL ':'LAYOUT OK ')+w+(sw>w||bad.length?"
    "': page '+sw+'px wide; '+names.join(', '):'');\n"
    " out.hidden=false;}\n"
    "if(/[?&]selftest(?:[=&]|$)/.test(location.search))layout();\n"
    "if(st.textContent==='')st.textContent='ready';\n"
    "document.documentElement.setAttribute('data-ready','1');\n"
    "})();\n";

/* Distinct sources of all traces, sorted: the x axis of every chart. */
typedef struct axis {
    const char **v;
    size_t n;
} axis;

static void axis_build(axis *ax, const cs_results *r)
{
    ax->v = calloc(r->n_traces + 1, sizeof *ax->v);
    if (!ax->v) abort();
    for (size_t i = 0; i < r->n_traces; i++)
        ax->v[i] = r->traces[i]->source;
    qsort(ax->v, r->n_traces, sizeof *ax->v, cs_cmp_strp);
    size_t w = 0;
    for (size_t i = 0; i < r->n_traces; i++)
        if (!w || strcmp(ax->v[i], ax->v[w - 1]) != 0) ax->v[w++] = ax->v[i];
    ax->n = w;
}

static size_t axis_index(const axis *ax, const char *s)
{
    return cs_lower_bound(ax->v, ax->n, sizeof *ax->v, &s, cs_cmp_strp);
}

/* A strip over all artifacts (sorted by path): one bar per bin in which
 * the cluster occurred, its height the number of occurrences there. */
static void chart(FILE *f, const cs_report_ctx *ctx, const axis *ax, const cs_cluster *c)
{
    size_t n_bins = ax->n < HTML_MAX_BINS ? ax->n : HTML_MAX_BINS;
    if (!n_bins) return;
    size_t *count = calloc(n_bins, sizeof *count);
    size_t *first = calloc(n_bins, sizeof *first); /* an artifact index in the bin */
    if (!count || !first) abort();
    size_t max = 0;
    for (size_t i = 0; i < c->n_traces; i++) {
        size_t a = axis_index(ax, ctx->res->traces[c->traces[i]]->source);
        size_t b = a * n_bins / ax->n;
        if (!count[b]) first[b] = a;
        if (++count[b] > max) max = count[b];
    }
    double bw = (double)HTML_CHART_W / (double)n_bins;
    fprintf(f,
            "<svg class=\"strip\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"%zu occurrence(s) across %zu artifact(s)\">",
            HTML_CHART_W, HTML_CHART_H, HTML_CHART_W, HTML_CHART_H, c->n_traces, ax->n);
    fprintf(f, "<line x1=\"0\" y1=\"%d.5\" x2=\"%d\" y2=\"%d.5\"/>", HTML_CHART_H - 1, HTML_CHART_W,
            HTML_CHART_H - 1);
    for (size_t b = 0; b < n_bins; b++) {
        if (!count[b]) continue;
        int bh = 6 + (int)((HTML_CHART_H - 8) * count[b] / max);
        double w = bw > 2.5 ? bw - 1.0 : 1.5;
        fprintf(f, "<rect class=\"bar\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\"><title>",
                bw * (double)b, HTML_CHART_H - 1 - bh, w, bh);
        fprintf(f, "%zu× ", count[b]);
        h(f, ax->v[first[b]]);
        fputs("</title></rect>", f);
    }
    fputs("</svg>", f);
    free(count);
    free(first);
}

/* A function name: shortened past HTML_NAME_MAX (C++ templates elided),
 * the full name then in a title attribute. */
static void fn_name(FILE *f, const char *name)
{
    char buf[HTML_NAME_MAX + 8];
    const char *s = cs_report_short_name(name, buf, sizeof buf, HTML_NAME_MAX);
    if (name && strcmp(s, name) != 0) {
        fputs("<span title=\"", f);
        h(f, name);
        fputs("\">", f);
        h(f, s);
        fputs("</span>", f);
    } else {
        h(f, s);
    }
}

/* An href to url (URI characters only, cs_report_url), or nothing. */
static void link_open(FILE *f, const char *url, const char *cls)
{
    if (url) {
        fprintf(f, "<a class=\"%s\" href=\"", cls);
        h(f, url);
        fputs("\">", f);
    } else {
        fprintf(f, "<span class=\"%s\">", cls);
    }
}

static void link_close(FILE *f, const char *url)
{
    fputs(url ? "</a>" : "</span>", f);
}

/* One frame; `here` marks a race site's own frame. Frames in the
 * repository link to their code with --source-url. */
static void frame_li(FILE *f, const cs_report_ctx *ctx, const cs_frame *fr, bool here)
{
    fprintf(f, "<li class=\"%s%s\">", fr->significant ? "sig" : "ins", here ? " here" : "");
    fn_name(f, cs_report_frame_function(fr));
    const char *file = cs_report_frame_file(fr);
    if (file) {
        char url[CS_REPORT_URL_MAX];
        const char *u = cs_report_frame_url(ctx, fr, url);
        fputs("  ", f);
        link_open(f, u, "at");
        h(f, file);
        if (fr->line) fprintf(f, ":%d", fr->line);
        link_close(f, u);
    } else if (fr->module) {
        fputs("  <span class=\"at\">", f);
        h(f, fr->module);
        if (fr->has_offset) fprintf(f, "+0x%llx", (unsigned long long)fr->offset);
        fputs("</span>", f);
    }
    fputs("</li>\n", f);
}

static void list(FILE *f, const char **v, size_t n, size_t max)
{
    if (!n) {
        fputs("<span class=\"meta\">-</span>", f);
        return;
    }
    for (size_t i = 0; i < n && i < max; i++) {
        if (i) fputs(", ", f);
        fputs("<code>", f);
        h(f, v[i]);
        fputs("</code>", f);
    }
    if (n > max) fprintf(f, " (+%zu more)", n - max);
}

/* triage --db: where the pair or cluster stands in the history. */
static void history_badge(FILE *f, const cs_history_status *hs)
{
    char buf[160];
    if (!cs_report_history_text(hs, buf, sizeof buf)) return;
    fprintf(f, " <span class=\"hist %s\">", hs->status);
    h(f, buf);
    fputs("</span>", f);
}

/* One site of a race card: the access (function, file:lines, kind of
 * access), then the stack that shows it - which goroutine or thread, from
 * which artifact, and its top frames around the site's own frame. */
static void site_card(FILE *f, const cs_report_ctx *ctx, const cs_race *r, int s,
                      const cs_thread *th, const cs_frame *here, const cs_trace *from)
{
    const cs_site *st = &r->sites[s];
    fprintf(f, "<div class=\"site\"><div class=\"lbl\">Site %c · ", s ? 'B' : 'A');
    h(f, st->access ? st->access : "access unknown");
    fputs("</div><div class=\"fn\">", f);
    fn_name(f, cs_site_name(st));
    fputs("</div><div class=\"loc\">", f);
    char path[CS_REPO_MAX_PATH], url[CS_REPORT_URL_MAX];
    const char *u = ctx->source_url && cs_report_site_repo_file(ctx, r, st, path)
                        ? cs_report_url(ctx, path, st->n_lines ? st->lines[0] : 0, url)
                        : NULL;
    link_open(f, u, "at");
    h(f, st->file ? st->file : "?");
    for (size_t k = 0; k < st->n_lines; k++)
        fprintf(f, "%c%d", k ? ',' : ':', st->lines[k]);
    link_close(f, u);
    fputs("</div>\n", f);
    if (!th) {
        fputs("<div class=\"who\">No linked report shows this site's stack.</div></div>\n", f);
        return;
    }
    fputs("<div class=\"who\">", f);
    h(f, th->name ? th->name : "stack");
    fprintf(f, " (%s)", cs_role_name(th->role));
    if (th->state) {
        fputs(" [", f);
        h(f, th->state);
        fputs("]", f);
    }
    fputs(", in <span class=\"mono\">", f);
    h(f, from->source);
    if (from->line_start) fprintf(f, ":%llu", (unsigned long long)from->line_start);
    fputs("</span></div>\n<ol class=\"frames wrap\">\n", f);
    size_t at = (size_t)(here - th->frames);
    size_t first = at > HTML_SITE_ABOVE ? at - HTML_SITE_ABOVE : 0;
    if (first) fprintf(f, "<li class=\"ins\">… %zu frame(s) above</li>\n", first);
    size_t k = first;
    for (; k < th->n_frames && k < first + HTML_SITE_FRAMES; k++)
        frame_li(f, ctx, &th->frames[k], k == at);
    if (k < th->n_frames) fprintf(f, "<li class=\"ins\">… %zu more</li>\n", th->n_frames - k);
    fputs("</ol></div>\n", f);
}

/* A link of the race grouped by the cluster of its trace. */
typedef struct explained {
    size_t cluster;
    size_t n;
    unsigned evidence; /* bit per cs_evidence */
} explained;

static int cmp_explained(const void *a, const void *b)
{
    const explained *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? 1 : -1;
    return (x->cluster > y->cluster) - (x->cluster < y->cluster);
}

static int cmp_size(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    return (*x > *y) - (*x < *y);
}

static void evidence_chip(FILE *f, cs_evidence e, size_t n)
{
    const char *w = cs_evidence_name(e);
    fprintf(f, "<a class=\"chip\" href=\"#ev-%s\" title=\"", w);
    h(f, cs_report_evidence_meaning(e));
    if (n)
        fprintf(f, "\">%s %zu</a>", w, n);
    else
        fprintf(f, "\">%s</a>", w);
}

/* The clusters a race explains: its links by cluster, most links first,
 * each with its kind, headline and the evidence that links it. Sorted, not
 * searched: O(n log n) in the race's links. */
static void explains(FILE *f, const cs_report_ctx *ctx, const cs_race *r)
{
    if (!ctx->clusters || !ctx->clusters->of_trace || !r->n_links) {
        fputs("-", f);
        return;
    }
    _Static_assert(CS_EV_COUNT <= 8, "an evidence kind fits in 3 bits");
    size_t *by = cs_xcalloc(r->n_links, sizeof *by); /* cluster << 3 | evidence */
    for (size_t i = 0; i < r->n_links; i++)
        by[i] = ctx->clusters->of_trace[r->links[i].trace] << 3 | (size_t)r->links[i].evidence;
    qsort(by, r->n_links, sizeof *by, cmp_size);
    explained *v = cs_xcalloc(r->n_links, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < r->n_links; i++) {
        size_t c = by[i] >> 3;
        if (!n || v[n - 1].cluster != c) v[n++] = (explained){c, 0, 0};
        v[n - 1].n++;
        v[n - 1].evidence |= 1u << (by[i] & 7);
    }
    free(by);
    qsort(v, n, sizeof *v, cmp_explained);
    fputs("<ul>", f);
    for (size_t i = 0; i < n && i < HTML_MAX_EXPLAINS; i++) {
        const cs_cluster *c = &ctx->clusters->v[v[i].cluster];
        const cs_trace *rep = ctx->res->traces[c->rep];
        fprintf(f, "<li><a href=\"#%s\"><code>%s</code></a> %s, %zu failure(s): ", c->id, c->id,
                cs_trace_kind_name(rep->kind), v[i].n);
        char buf[128];
        fputs("<code>", f);
        h(f, cs_report_clip(rep->headline && *rep->headline ? rep->headline : "(no message)", buf,
                            sizeof buf, 120));
        fputs("</code> ", f);
        for (int e = 0; e < CS_EV_COUNT; e++)
            if (v[i].evidence & 1u << e) evidence_chip(f, (cs_evidence)e, 0);
        fputs("</li>", f);
    }
    if (n > HTML_MAX_EXPLAINS) fprintf(f, "<li>… %zu more cluster(s)</li>", n - HTML_MAX_EXPLAINS);
    fputs("</ul>", f);
    free(v);
}

static void verdict(FILE *f, const cs_test_summary *s)
{
    const char *cls = s->flaky ? "flaky" : s->failures ? "failing" : "passing";
    fprintf(f, "<span class=\"verdict %s\">%s</span>", cls, cls);
}

/* The tests of a race: those with recorded outcomes with their verdict
 * (rt: the run's race -> tests index), then names seen only in traces. */
static void race_tests(FILE *f, const cs_report_ctx *ctx, const cs_report_index *rt, size_t ri,
                       const cs_race *r)
{
    size_t n = cs_report_index_n(rt, ri), shown = 0;
    const size_t *v = cs_report_index_row(rt, ri);
    fputs("<ul>", f);
    for (size_t k = 0; k < n && k < 10; k++, shown++) {
        const cs_test_summary *s = &ctx->tests->v[v[k]];
        char buf[CS_REPORT_TEST_LINE];
        fputs("<li><code>", f);
        h(f, s->name);
        fputs("</code> ", f);
        verdict(f, s);
        fputs(" ", f);
        h(f, cs_report_test_verdict(s, buf, sizeof buf));
        fputs("</li>", f);
    }
    if (n > 10) fprintf(f, "<li>… %zu more test(s)</li>", n - 10);
    size_t nt;
    const char **names = cs_report_strs_get(cs_report_race_tests(ctx, r), &nt);
    for (size_t i = 0; i < nt && i < 10; i++) {
        bool dup = false; /* at most 10 x 10 comparisons */
        for (size_t k = 0; k < n && k < 10 && !dup; k++)
            dup = strcmp(ctx->tests->v[v[k]].name, names[i]) == 0;
        if (dup) continue;
        fputs("<li><code>", f);
        h(f, names[i]);
        fputs("</code> <span class=\"meta\">(no outcome recorded)</span></li>", f);
        shown++;
    }
    fputs("</ul>", f);
    if (!shown) fputs("-", f);
}

static void race_card(FILE *f, const cs_report_ctx *ctx, const cs_report_index *rt, size_t i)
{
    const cs_race *r = &ctx->races->v[i];
    fprintf(f, "<article class=\"race%s\" id=\"%s\">\n<h3><span class=\"badge%s\">%s</span>",
            r->map_race ? " map" : "", r->id, r->map_race ? " map" : "",
            r->map_race ? "MAP RACE" : "DATA RACE");
    if (r->partial) fputs("<span class=\"badge partial\">PARTIAL</span>", f);
    fprintf(f, "<code>%s</code> · %s · %zu failure(s)", r->id, cs_race_access_types(r), r->n_links);
    history_badge(f, cs_report_race_history(ctx, i));
    fputs("</h3>\n<div class=\"sites\">\n", f);
    const cs_thread *prev = NULL;
    for (int s = 0; s < cs_race_n_sites(r); s++) {
        const cs_frame *here = NULL;
        const cs_trace *from = NULL;
        const cs_thread *th = cs_report_site_stack(ctx, r, &r->sites[s], prev, &here, &from);
        site_card(f, ctx, r, s, th, here, from);
        if (th) prev = th;
    }
    if (r->partial) {
        /* Said, never guessed: no report shows the other access. */
        fputs("<div class=\"site missing\"><div class=\"lbl\">Site B · not known</div>"
              "<div class=\"fn\">",
              f);
        h(f, cs_race_unknown_side(r));
        fputs("</div><div class=\"who\">No report in this pile shows the other access (the Go "
              "runtime names only the goroutine that noticed; a race report's other stack can "
              "be lost). crashsift does not guess it: look for other code that writes this "
              "map or memory.</div></div>\n",
              f);
    }
    fputs("</div>\n<dl class=\"facts\"><dt>Evidence</dt><dd>", f);
    for (int e = 0; e < CS_EV_COUNT; e++)
        if (r->n_by[e]) evidence_chip(f, (cs_evidence)e, r->n_by[e]);
    fputs("<ul>", f);
    for (int e = 0; e < CS_EV_COUNT; e++)
        if (r->n_by[e]) {
            fprintf(f, "<li><b>%s</b>: ", cs_evidence_name((cs_evidence)e));
            h(f, cs_race_evidence_sentence(r, (cs_evidence)e));
            fputs("</li>", f);
        }
    fputs("</ul></dd>\n<dt>Explains</dt><dd>", f);
    explains(f, ctx, r);
    fputs("</dd>\n<dt>Tests</dt><dd>", f);
    race_tests(f, ctx, rt, i, r);
    const char *first, *last;
    cs_report_race_span(ctx, r, &first, &last);
    fputs("</dd>\n<dt>Seen</dt><dd class=\"mono\">", f);
    h(f, first);
    if (last && first && strcmp(first, last) != 0) {
        fputs(" … ", f);
        h(f, last);
    }
    fputs("</dd></dl>\n", f);
    fprintf(f,
            "<details><summary>%zu linked failure(s), with their evidence</summary>\n"
            "<ul class=\"occ\">\n",
            r->n_links);
    for (size_t k = 0; k < r->n_links && k < HTML_MAX_LINKS; k++) {
        const cs_trace *t = ctx->res->traces[r->links[k].trace];
        fputs("<li>", f);
        h(f, t->source);
        if (t->line_start) fprintf(f, ":%llu", (unsigned long long)t->line_start);
        fprintf(f, " — %s, %s", cs_evidence_name(r->links[k].evidence),
                cs_trace_kind_name(t->kind));
        if (t->test) {
            fputs(" in ", f);
            h(f, t->test);
        }
        fputs("</li>\n", f);
    }
    if (r->n_links > HTML_MAX_LINKS)
        fprintf(f, "<li>… %zu more (the JSON report has all)</li>\n", r->n_links - HTML_MAX_LINKS);
    fputs("</ul></details>\n", f);
    if (r->map_evidence) {
        fputs("<p class=\"meta\">Map race because ", f);
        h(f, r->map_evidence);
        fputs(".</p>\n", f);
    }
    char *note = cs_race_note(r);
    fputs("<p class=\"note\"><b>Suggested fix.</b> ", f);
    h(f, note);
    free(note);
    fputs("</p>\n</article>\n", f);
}

static void races(FILE *f, const cs_report_ctx *ctx)
{
    size_t n = ctx->races ? ctx->races->n : 0;
    fprintf(f, "<section id=\"races\">\n<h2>Race pairs <span class=\"n\">%zu</span></h2>\n", n);
    if (!n) fputs("<p class=\"meta\">No race pairs found.</p>\n", f);
    const cs_report_index *rt = cs_report_race_test_rows(ctx);
    for (size_t i = 0; i < n; i++)
        race_card(f, ctx, rt, i);
    fputs("</section>\n", f);
}

/* Every word the race cards use, explained once: the evidence words from
 * the race module's list (cs_evidence_name) with their meanings from one
 * table (cs_report_evidence_meaning), then the badges and marks. */
static void legend(FILE *f, const cs_report_ctx *ctx)
{
    size_t used[CS_EV_COUNT] = {0};
    for (size_t i = 0; ctx->races && i < ctx->races->n; i++)
        for (int e = 0; e < CS_EV_COUNT; e++)
            used[e] += ctx->races->v[i].n_by[e];
    fputs("<section id=\"legend\">\n<h2>Legend</h2>\n<dl class=\"legend\">\n", f);
    for (int e = 0; e < CS_EV_COUNT; e++) {
        const char *w = cs_evidence_name((cs_evidence)e);
        fprintf(f, "<dt id=\"ev-%s\"><span class=\"chip\">%s</span></dt><dd>", w, w);
        h(f, cs_report_evidence_meaning((cs_evidence)e));
        fprintf(f, " <span class=\"meta\">(%zu link(s) in this report)</span></dd>\n", used[e]);
    }
    fputs("<dt><span class=\"badge map\">MAP RACE</span></dt><dd>the racing accesses run inside "
          "map implementation code, or a map fatal error, core or sanitizer crash in map code "
          "was seen at a site</dd>\n"
          "<dt><span class=\"badge\">DATA RACE</span></dt><dd>two accesses to the same memory, "
          "at least one a write, without synchronization</dd>\n"
          "<dt><span class=\"badge partial\">PARTIAL</span></dt><dd>only one access is known: "
          "the evidence never showed the other side, and the report does not guess it</dd>\n"
          "<dt><span class=\"verdict flaky\">flaky</span></dt><dd>a test that both passed and "
          "failed in this pile</dd>\n"
          "<dt><code>\xe2\x96\xb8 frame</code></dt><dd>a significant frame: the program's own "
          "code, as the signature rules decide (the others are runtime, library or "
          "toolchain frames)</dd>\n</dl>\n</section>\n",
          f);
}

static void test_row(FILE *f, const cs_report_ctx *ctx, const cs_test_summary *s)
{
    fputs("<tr><td class=\"name\" data-label=\"Test\"><code>", f);
    h(f, s->name);
    fputs("</code></td><td class=\"name\" data-label=\"Package\">", f);
    h(f, s->package ? s->package : "-");
    /* Runs carry the passes and skips behind them (the JSON's numbers). */
    fprintf(f,
            "</td><td class=\"num\" data-label=\"Runs\" title=\"%zu passed, %zu failed, %zu "
            "skipped\">%zu</td><td class=\"num\" data-label=\"Failures\">%zu</td><td "
            "class=\"num\" data-label=\"Rate\">%.1f%%</td><td data-label=\"Verdict\">",
            s->passes, s->failures, s->skips, s->runs, s->failures, 100.0 * s->failure_rate);
    verdict(f, s);
    fputs("</td><td data-label=\"Linked\">", f);
    bool any = false;
    for (size_t k = 0; ctx->races && k < s->n_races && k < 10; k++, any = true)
        fprintf(f, "%s<a href=\"#%s\"><code>%s</code></a>", any ? ", " : "",
                ctx->races->v[s->races[k]].id, ctx->races->v[s->races[k]].id);
    if (s->n_races > 10) fprintf(f, " (+%zu more)", s->n_races - 10);
    for (size_t k = 0; ctx->clusters && k < s->n_clusters && k < 10; k++, any = true)
        fprintf(f, "%s<a href=\"#%s\"><code>%s</code></a>", any ? ", " : "",
                ctx->clusters->v[s->clusters[k]].id, ctx->clusters->v[s->clusters[k]].id);
    if (s->n_clusters > 10) fprintf(f, " (+%zu more)", s->n_clusters - 10);
    if (!any) fputs("-", f);
    fputs("</td></tr>\n", f);
}

static void test_table_head(FILE *f, const char *id)
{
    fprintf(f,
            "<table id=\"%s\" class=\"stack tests\">\n<thead><tr><th>Test</th><th>Package</th>"
            "<th class=\"num\">Runs</th><th class=\"num\">Failures</th><th "
            "class=\"num\">Rate</th><th>Verdict</th><th>Race pairs, clusters</th></tr></thead>\n"
            "<tbody>\n",
            id);
}

/* Every test with a recorded outcome, flaky first, then the ones that
 * failed (the JSON `tests` order and numbers; the rate in percent); tests
 * that never failed folded below. */
static void tests(FILE *f, const cs_report_ctx *ctx)
{
    const cs_tests *t = ctx->tests;
    if (!t || !t->n) return;
    size_t n_flaky = 0, n_failing = 0;
    for (size_t i = 0; i < t->n; i++) {
        n_flaky += t->v[i].flaky;
        n_failing += t->v[i].failures && !t->v[i].flaky;
    }
    size_t n_passing = t->n - n_flaky - n_failing, rows = 0;
    fprintf(f,
            "<section id=\"tests\">\n<h2>Tests <span class=\"n\">%zu</span></h2>\n<p "
            "class=\"meta\">%zu flaky, %zu failing, %zu passing.</p>\n",
            t->n, n_flaky, n_failing, n_passing);
    for (int pass = 0; pass < 2; pass++) {
        bool open = false;
        for (size_t i = 0; i < t->n; i++) {
            const cs_test_summary *s = &t->v[i];
            if ((s->failures != 0) != (pass == 0)) continue;
            if (rows == HTML_MAX_TESTS) break;
            if (!open) {
                if (pass)
                    fprintf(f, "<details><summary>%zu test(s) that never failed</summary>\n",
                            n_passing);
                test_table_head(f, pass ? "tpass" : "ttable");
                open = true;
            }
            test_row(f, ctx, s);
            rows++;
        }
        if (open) fputs(pass ? "</tbody>\n</table>\n</details>\n" : "</tbody>\n</table>\n", f);
    }
    if (t->n > rows)
        fprintf(f, "<p class=\"meta\">… %zu more test(s): the JSON report lists every one.</p>\n",
                t->n - rows);
    fputs("</section>\n", f);
}

static void cluster_row(FILE *f, const cs_report_ctx *ctx, const axis *ax, const cs_cluster *c)
{
    const cs_results *r = ctx->res;
    const cs_trace *rep = r->traces[c->rep];
    fprintf(f,
            "<tr id=\"%s\"><td class=\"num\" data-label=\"Count\">%zu</td><td "
            "data-label=\"Id\"><code>%s</code></td>",
            c->id, c->n_traces, c->id);
    fprintf(f,
            "<td class=\"kind\" data-label=\"Kind\">%s</td>\n<td class=\"fail\"><details>"
            "<summary>",
            cs_trace_kind_name(rep->kind));
    h(f, rep->headline && *rep->headline ? rep->headline : "(no message)");
    history_badge(f, cs_report_cluster_history(ctx, (size_t)(c - ctx->clusters->v)));
    fputs("</summary>\n<div class=\"sigline\">", f);
    h(f, c->signature);
    fputs("</div>\n<ol class=\"frames\">\n", f);
    const cs_thread *th = cs_report_sig_thread(rep);
    size_t nf = th ? th->n_frames : 0;
    for (size_t k = 0; k < nf && k < HTML_MAX_FRAMES; k++)
        frame_li(f, ctx, &th->frames[k], false);
    if (nf > HTML_MAX_FRAMES)
        fprintf(f, "<li class=\"ins\">… %zu more</li>\n", nf - HTML_MAX_FRAMES);
    if (!nf) fputs("<li class=\"ins\">(no frames)</li>\n", f);
    fputs("</ol>\n", f);
    /* Every other thread of a dump, in full. */
    size_t no = cs_report_n_other_threads(rep), shown = 0;
    for (size_t i = 0; i < rep->n_threads && shown < CS_REPORT_MAX_THREADS_HTML; i++) {
        if (!cs_report_is_other_thread(rep, i)) continue;
        const cs_thread *ot = &rep->threads[i];
        fputs("<div class=\"sigline\">", f);
        h(f, ot->name ? ot->name : "thread");
        if (ot->state) {
            fputs(" [", f);
            h(f, ot->state);
            fputs("]", f);
        }
        fputs("</div>\n<ol class=\"frames\">\n", f);
        for (size_t k = 0; k < ot->n_frames && k < HTML_MAX_FRAMES; k++)
            frame_li(f, ctx, &ot->frames[k], false);
        if (ot->n_frames > HTML_MAX_FRAMES)
            fprintf(f, "<li class=\"ins\">… %zu more</li>\n", ot->n_frames - HTML_MAX_FRAMES);
        if (!ot->n_frames) fputs("<li class=\"ins\">(no frames)</li>\n", f);
        fputs("</ol>\n", f);
        shown++;
    }
    if (no > shown) fprintf(f, "<div class=\"sigline\">… %zu more threads</div>\n", no - shown);
    fputs("<div class=\"sigline\">First seen ", f);
    h(f, r->traces[c->traces[0]]->source);
    fputs(" · last seen ", f);
    h(f, r->traces[c->traces[c->n_traces - 1]]->source);
    fputs(" (by path). Occurrences:</div>\n<ul class=\"occ\">\n", f);
    for (size_t k = 0; k < c->n_traces && k < HTML_MAX_OCCURRENCES; k++) {
        const cs_trace *t = r->traces[c->traces[k]];
        fputs("<li>", f);
        h(f, t->source);
        if (t->line_start) fprintf(f, ":%llu", (unsigned long long)t->line_start);
        if (t->test) {
            fputs(" (", f);
            h(f, t->test);
            fputs(")", f);
        }
        fputs("</li>\n", f);
    }
    if (c->n_traces > HTML_MAX_OCCURRENCES)
        fprintf(f, "<li>… %zu more</li>\n", c->n_traces - HTML_MAX_OCCURRENCES);
    fputs("</ul>\n", f);
    for (size_t k = 0; k < ctx->clusters->n_merges; k++) {
        const cs_merge *m = &ctx->clusters->merges[k];
        if (strcmp(m->into, c->id) != 0) continue;
        fprintf(f, "<div class=\"sigline\">close: %s (distance %.3f): ", m->from, m->distance);
        h(f, m->from_signature);
        fputs("</div>\n", f);
    }
    fputs("</details></td>\n<td data-label=\"Tests\">", f);
    size_t nv;
    const char **v = cs_report_strs_get(cs_report_cluster_tests(ctx, c), &nv);
    list(f, v, nv, 3);
    fprintf(f, "</td>\n<td class=\"num\" data-label=\"Artifacts\">%zu</td>\n<td>",
            cs_report_distinct_sources(ctx, c->traces, c->n_traces));
    chart(f, ctx, ax, c);
    fputs("</td></tr>\n", f);
}

static void clusters(FILE *f, const cs_report_ctx *ctx)
{
    size_t n = ctx->clusters ? ctx->clusters->n : 0;
    fprintf(f, "<section id=\"clusters\">\n<h2>Clusters <span class=\"n\">%zu</span></h2>\n", n);
    if (!n) {
        fputs("<p class=\"meta\">No failures found.</p>\n</section>\n", f);
        return;
    }
    axis ax;
    axis_build(&ax, ctx->res);
    fputs("<div class=\"toolbar\"><input id=\"filter\" type=\"search\" placeholder=\"Filter by id, "
          "kind, message, test, function, file…\" aria-label=\"Filter clusters\">"
          "<span id=\"shown\"></span></div>\n",
          f);
    fprintf(f,
            "<table id=\"ctable\" class=\"stack\">\n<colgroup><col class=\"c-count\"><col "
            "class=\"c-id\"><col class=\"c-kind\"><col><col class=\"c-tests\"><col "
            "class=\"c-art\"><col class=\"c-where\"></colgroup>\n<thead><tr><th class=\"num\" "
            "data-sort=\"count\" data-type=\"num\">Count</th><th data-sort=\"id\">Id</th><th "
            "data-sort=\"kind\">Kind</th><th data-sort=\"failure\">Failure (click for the "
            "trace)</th><th data-sort=\"tests\">Tests</th><th class=\"num\" "
            "data-sort=\"artifacts\" data-type=\"num\">Artifacts</th><th>Where, across %zu "
            "artifact(s)</th></tr></thead>\n<tbody>\n",
            ax.n);
    for (size_t i = 0; i < n; i++)
        cluster_row(f, ctx, &ax, &ctx->clusters->v[i]);
    fputs("</tbody>\n</table>\n</section>\n", f);
    free(ax.v);
}

static void errors(FILE *f, const cs_results *r)
{
    if (!r->n_diags) return;
    fprintf(f,
            "<section id=\"errors\">\n<h2>Errors <span class=\"n\">%zu</span></h2>\n"
            "<table class=\"errors stack\"><thead><tr><th>Input</th><th>Problem</th></tr>"
            "</thead>"
            "<tbody>\n",
            r->n_diags);
    for (size_t i = 0; i < r->n_diags; i++) {
        fputs("<tr><td data-label=\"Input\">", f);
        h(f, r->diags[i].source);
        fputs("</td><td data-label=\"Problem\">", f);
        h(f, r->diags[i].message);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n</section>\n", f);
}

static void card(FILE *f, size_t n, const char *what, bool alert)
{
    fprintf(f, "<div class=\"card%s\"><b>%zu</b><span>%s</span></div>\n",
            alert && n ? " alert" : "", n, what);
}

static int write_html(FILE *f, const cs_report_ctx *ctx)
{
    const cs_results *r = ctx->res;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
          f);
    fputs("<meta name=\"generator\" content=\"crashsift ", f);
    h(f, ctx->tool_version);
    fputs("\">\n<title>crashsift report</title>\n<style>\n", f);
    fputs(css, f);
    fputs("</style>\n</head>\n<body>\n<main>\n<header>\n<h1>crashsift report</h1>\n"
          "<p class=\"meta\">",
          f);
    if (ctx->n_inputs) {
        fputs("Inputs: ", f);
        list(f, (const char **)ctx->inputs, ctx->n_inputs, 10);
        fputs(" · ", f);
    }
    fputs("crashsift ", f);
    h(f, ctx->tool_version);
    if (ctx->sig_version) {
        fputs(", signatures ", f);
        h(f, ctx->sig_version);
    }
    fputs("</p>\n</header>\n<div class=\"cards\">\n", f);
    card(f, ctx->races ? ctx->races->n : 0, "race pairs", true);
    if (ctx->tests && ctx->tests->n) {
        size_t n_flaky = 0;
        for (size_t i = 0; i < ctx->tests->n; i++)
            n_flaky += ctx->tests->v[i].flaky;
        card(f, n_flaky, "flaky tests", true);
    }
    card(f, ctx->clusters ? ctx->clusters->n : 0, "clusters", false);
    card(f, r->n_traces, "traces", false);
    card(f, r->n_members, "members read", false);
    card(f, r->n_diags, "input errors", false);
    fputs("</div>\n", f);
    tests(f, ctx);
    races(f, ctx);
    legend(f, ctx);
    clusters(f, ctx);
    errors(f, r);
    fputs("<pre id=\"selftest\" hidden></pre><pre id=\"layout\" hidden></pre>"
          "<p id=\"js-status\"></p>\n"
          "<footer>Generated by crashsift ",
          f);
    h(f, ctx->tool_version);
    fputs(". Self-contained: no network access, no external resources.</footer>\n</main>\n"
          "<script>\n",
          f);
    fputs(js, f);
    fputs("</script>\n</body>\n</html>\n", f);
    return ferror(f) ? CS_E_IO : CS_OK;
}

int cs_report_html(FILE *f, const cs_report_ctx *ctx)
{
    return cs_report_with_view(f, ctx, write_html);
}
