/* html.c - one self-contained HTML page: summary counts, the race pairs
 * side by side, a sortable and filterable cluster table with expandable
 * traces, and an inline SVG strip per cluster of where it occurred.
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

#include "report.h"

#define HTML_MAX_FRAMES 64      /* frames shown per trace */
#define HTML_MAX_OCCURRENCES 25 /* occurrences listed per cluster */
#define HTML_MAX_BINS 96        /* bars in a cluster's chart */
#define HTML_CHART_W 192
#define HTML_CHART_H 28

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

static const char css[] =
    ":root{--bg:#f6f7f9;--panel:#fff;--ink:#1f2328;--muted:#59636e;--faint:#8c959f;"
    "--line:#d8dee4;--accent:#1f5fa8;--accent-soft:#e8f0fa;--map:#a8321e;--map-soft:#fbeeeb;"
    "--data:#94600b;--data-soft:#fbf4e6;"
    "--mono:ui-monospace,SFMono-Regular,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    "--sans:system-ui,-apple-system,'Segoe UI','DejaVu Sans',Roboto,sans-serif}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 var(--sans)}\n"
    "main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 12px}\n"
    "h2 .n{color:var(--muted);font-weight:400}\n"
    ".meta{color:var(--muted);margin:0}\n"
    "code,.mono{font-family:var(--mono);font-size:12.5px}\n"
    ".cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:18px}\n"
    ".card{background:var(--panel);border:1px solid var(--line);border-radius:8px;"
    "padding:10px 16px;min-width:120px}\n"
    ".card b{display:block;font-size:22px}.card span{color:var(--muted)}\n"
    ".card.alert b{color:var(--map)}\n"
    ".race{background:var(--panel);border:1px solid var(--line);border-left:4px solid var(--data);"
    "border-radius:8px;padding:14px 16px;margin:0 0 14px}\n"
    ".race.map{border-left-color:var(--map)}\n"
    ".race h3{font-size:15px;margin:0 0 10px;font-weight:600}\n"
    ".badge{display:inline-block;font-size:11px;font-weight:700;letter-spacing:.04em;"
    "padding:1px 7px;border-radius:10px;margin-right:6px;vertical-align:1px;"
    "background:var(--data-soft);color:var(--data)}\n"
    ".badge.map{background:var(--map-soft);color:var(--map)}\n"
    ".hist{font-size:11px;font-weight:600;padding:1px 6px;border-radius:8px;"
    "background:#eef2f7;color:#475569}\n"
    ".hist.new{background:#fef3c7;color:#92400e}.hist.regressed{background:#fee2e2;"
    "color:#991b1b}\n"
    ".sites{display:grid;grid-template-columns:1fr 1fr;gap:12px}\n"
    ".site{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:#fbfcfd;"
    "min-width:0}\n"
    ".site .lbl{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--faint)}\n"
    ".site .fn{font-family:var(--mono);font-weight:600;overflow-wrap:anywhere}\n"
    ".site .loc{font-family:var(--mono);font-size:12.5px;color:var(--accent);"
    "overflow-wrap:anywhere}\n"
    ".facts{margin:10px 0 0;display:grid;grid-template-columns:max-content 1fr;gap:3px 14px}\n"
    ".facts dt{color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}\n"
    ".chip{display:inline-block;border:1px solid var(--line);border-radius:10px;"
    "padding:0 8px;margin-right:4px;font-size:12px;background:#fbfcfd}\n"
    ".note{margin:10px 0 0;padding:8px 12px;background:var(--accent-soft);border-radius:6px}\n"
    ".toolbar{display:flex;gap:12px;align-items:center;margin:0 0 10px}\n"
    "#filter{flex:0 1 420px;padding:6px 10px;border:1px solid var(--line);border-radius:6px;"
    "font:inherit;background:var(--panel)}\n"
    "#shown{color:var(--muted)}\n"
    "table{border-collapse:collapse;width:100%;background:var(--panel);"
    "border:1px solid var(--line);border-radius:8px}\n"
    "th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid "
    "var(--line)}\n"
    "th{font-size:12px;color:var(--muted);background:#f0f2f5;white-space:nowrap;"
    "user-select:none}\n"
    "th[data-sort]{cursor:pointer}th[data-sort]:hover{color:var(--ink)}\n"
    "th[aria-sort=ascending]::after{content:' \\25B2'}"
    "th[aria-sort=descending]::after{content:' \\25BC'}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "#ctable{table-layout:fixed}#ctable td{overflow-wrap:anywhere}\n"
    "summary{cursor:pointer}\n"
    ".kind{font-family:var(--mono);font-size:12px;white-space:nowrap}\n"
    ".sigline{font-family:var(--mono);font-size:12px;color:var(--muted);margin:6px 0}\n"
    "ol.frames{list-style:none;margin:6px 0;padding:8px 10px;background:#f6f8fa;"
    "border-radius:6px;font-family:var(--mono);font-size:12px;overflow-x:auto;max-width:100%}\n"
    "ol.frames li{white-space:pre;line-height:1.6}\n"
    "ol.frames li.ins{color:var(--faint)}\n"
    "ol.frames li.sig{color:var(--ink);font-weight:600}\n"
    "ol.frames li.sig::before{content:'\\25B8 ';color:var(--accent)}\n"
    "ol.frames li.ins::before{content:'  '}\n"
    "ol.frames .at{font-weight:400;color:var(--accent)}ol.frames li.ins .at{color:var(--faint)}\n"
    "ul.occ{margin:4px 0 0;padding-left:18px;font-family:var(--mono);font-size:12px;"
    "color:var(--muted)}\n"
    "svg.strip{display:block}svg.strip rect.bar{fill:var(--accent)}"
    "svg.strip line{stroke:var(--line)}\n"
    "tr[hidden]{display:none}\n"
    ".errors td:first-child{font-family:var(--mono);font-size:12px}\n"
    "footer{margin-top:36px;color:var(--faint);font-size:12px}\n"
    "#js-status{display:none}\n";

/* The script reads only the DOM built above; it never embeds artifact
 * text. ?selftest makes it exercise sort and filter and write the outcome
 * into #selftest (the headless browser test reads it with --dump-dom). */
static const char js[] =
    "(function(){'use strict';\n"
    "var st=document.getElementById('js-status');\n"
    "window.addEventListener('error',function(e){st.textContent='SCRIPT ERROR: '+e.message;});\n"
    "var table=document.getElementById('ctable');\n"
    "if(!table){st.textContent='ready';return;}\n"
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
    "if(st.textContent==='')st.textContent='ready';\n"
    "document.documentElement.setAttribute('data-ready','1');\n"
    "})();\n";

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

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
    qsort(ax->v, r->n_traces, sizeof *ax->v, cmp_str);
    size_t w = 0;
    for (size_t i = 0; i < r->n_traces; i++)
        if (!w || strcmp(ax->v[i], ax->v[w - 1]) != 0) ax->v[w++] = ax->v[i];
    ax->n = w;
}

static size_t axis_index(const axis *ax, const char *s)
{
    size_t lo = 0, hi = ax->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ax->v[mid], s) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
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

static void frame_li(FILE *f, const cs_frame *fr)
{
    fprintf(f, "<li class=\"%s\">", fr->significant ? "sig" : "ins");
    h(f, cs_report_frame_function(fr));
    const char *file = cs_report_frame_file(fr);
    if (file) {
        fputs("  <span class=\"at\">", f);
        h(f, file);
        if (fr->line) fprintf(f, ":%d", fr->line);
        fputs("</span>", f);
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

static void races(FILE *f, const cs_report_ctx *ctx)
{
    size_t n = ctx->races ? ctx->races->n : 0;
    fprintf(f, "<section id=\"races\">\n<h2>Race pairs <span class=\"n\">%zu</span></h2>\n", n);
    if (!n) fputs("<p class=\"meta\">No race pairs found.</p>\n", f);
    for (size_t i = 0; i < n; i++) {
        const cs_race *r = &ctx->races->v[i];
        fprintf(f, "<article class=\"race%s\" id=\"%s\">\n<h3><span class=\"badge%s\">%s</span>",
                r->map_race ? " map" : "", r->id, r->map_race ? " map" : "",
                r->map_race ? "MAP RACE" : "DATA RACE");
        fprintf(f, "<code>%s</code> · %s · %zu failure(s)", r->id, cs_race_access_types(r),
                r->n_links);
        history_badge(f, cs_report_race_history(ctx, i));
        fputs("</h3>\n<div class=\"sites\">\n", f);
        for (int s = 0; s < cs_race_n_sites(r); s++) {
            const cs_site *st = &r->sites[s];
            fprintf(f, "<div class=\"site\"><div class=\"lbl\">Site %c</div><div class=\"fn\">",
                    s ? 'B' : 'A');
            h(f, st->function);
            fputs("</div><div class=\"loc\">", f);
            h(f, st->file ? st->file : "?");
            for (size_t k = 0; k < st->n_lines; k++)
                fprintf(f, "%c%d", k ? ',' : ':', st->lines[k]);
            fputs("</div><div class=\"acc\">", f);
            h(f, st->access ? st->access : "access unknown");
            fputs("</div></div>\n", f);
        }
        if (r->partial) {
            fputs("<div class=\"site\"><div class=\"lbl\">Site B</div><div class=\"fn\">", f);
            h(f, cs_race_unknown_side(r));
            fputs("</div><div class=\"loc\">not shown in any report</div></div>\n", f);
        }
        fputs("</div>\n<dl class=\"facts\"><dt>Evidence</dt><dd>", f);
        for (int e = 0; e < CS_EV_COUNT; e++)
            if (r->n_by[e])
                fprintf(f, "<span class=\"chip\">%s %zu</span>", cs_evidence_name((cs_evidence)e),
                        r->n_by[e]);
        fputs("</dd>\n<dt>Tests</dt><dd>", f);
        size_t nv;
        const char **v = cs_report_race_tests(ctx, r, &nv);
        list(f, v, nv, 10);
        free(v);
        fputs("</dd>\n<dt>Clusters</dt><dd>", f);
        v = cs_report_race_clusters(ctx, r, &nv);
        for (size_t k = 0; k < nv; k++)
            fprintf(f, "%s<a href=\"#%s\"><code>%s</code></a>", k ? ", " : "", v[k], v[k]);
        if (!nv) fputs("-", f);
        free(v);
        const char *first, *last;
        cs_report_race_span(ctx, r, &first, &last);
        fputs("</dd>\n<dt>Seen</dt><dd class=\"mono\">", f);
        h(f, first);
        if (last && first && strcmp(first, last) != 0) {
            fputs(" … ", f);
            h(f, last);
        }
        fputs("</dd></dl>\n", f);
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
    fputs("</section>\n", f);
}

static void cluster_row(FILE *f, const cs_report_ctx *ctx, const axis *ax, const cs_cluster *c)
{
    const cs_results *r = ctx->res;
    const cs_trace *rep = r->traces[c->rep];
    fprintf(f, "<tr id=\"%s\"><td class=\"num\">%zu</td><td><code>%s</code></td>", c->id,
            c->n_traces, c->id);
    fprintf(f, "<td class=\"kind\">%s</td>\n<td class=\"fail\"><details><summary>",
            cs_trace_kind_name(rep->kind));
    h(f, rep->headline && *rep->headline ? rep->headline : "(no message)");
    history_badge(f, cs_report_cluster_history(ctx, (size_t)(c - ctx->clusters->v)));
    fputs("</summary>\n<div class=\"sigline\">", f);
    h(f, c->signature);
    fputs("</div>\n<ol class=\"frames\">\n", f);
    const cs_thread *th = cs_report_sig_thread(rep);
    size_t nf = th ? th->n_frames : 0;
    for (size_t k = 0; k < nf && k < HTML_MAX_FRAMES; k++)
        frame_li(f, &th->frames[k]);
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
            frame_li(f, &ot->frames[k]);
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
    fputs("</details></td>\n<td>", f);
    size_t nv;
    const char **v = cs_report_cluster_tests(ctx, c, &nv);
    list(f, v, nv, 3);
    free(v);
    fprintf(f, "</td>\n<td class=\"num\">%zu</td>\n<td>",
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
            "<table id=\"ctable\">\n<colgroup><col style=\"width:64px\"><col "
            "style=\"width:112px\"><col style=\"width:104px\"><col><col "
            "style=\"width:170px\"><col style=\"width:84px\"><col "
            "style=\"width:216px\"></colgroup>\n<thead><tr><th class=\"num\" data-sort=\"count\" "
            "data-type=\"num\">Count</th><th data-sort=\"id\">Id</th><th "
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
            "<table class=\"errors\"><thead><tr><th>Input</th><th>Problem</th></tr></thead>"
            "<tbody>\n",
            r->n_diags);
    for (size_t i = 0; i < r->n_diags; i++) {
        fputs("<tr><td>", f);
        h(f, r->diags[i].source);
        fputs("</td><td>", f);
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

int cs_report_html(FILE *f, const cs_report_ctx *ctx)
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
    card(f, ctx->clusters ? ctx->clusters->n : 0, "clusters", false);
    card(f, r->n_traces, "traces", false);
    card(f, r->n_members, "members read", false);
    card(f, r->n_diags, "input errors", false);
    fputs("</div>\n", f);
    races(f, ctx);
    clusters(f, ctx);
    errors(f, r);
    fputs("<pre id=\"selftest\" hidden></pre><p id=\"js-status\"></p>\n"
          "<footer>Generated by crashsift ",
          f);
    h(f, ctx->tool_version);
    fputs(". Self-contained: no network access, no external resources.</footer>\n</main>\n"
          "<script>\n",
          f);
    fputs(js, f);
    fputs("</script>\n</body>\n</html>\n", f);
    return ferror(f) ? -1 : 0;
}
