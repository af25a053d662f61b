"""What a course program reached, checked against the graph and the server's /metrics."""
import collections
import re

from course_server import require

PUZZLES = ("cpu", "core")


def path_of(url, base):
    url = url[len(base):] if url.startswith(base) else url
    return url.split("?")[0]


def page_id(path, graph):
    """The page a path names, or None."""
    if path.startswith("/api/") and path[5:] in graph:
        return path[5:]
    return None


def check_metrics(server, exchanges, before, after):
    """The server counted exactly the program's requests (by type and status);
    the one /metrics read between the two snapshots is counted as other/200."""
    expected = collections.Counter({("other", 200): 1})
    for e in exchanges:
        path = path_of(e["url"], server.base)
        pid = page_id(path, server.graph)
        kind = (server.graph[pid]["page_type"] if pid
                else "root" if path in ("/api", "/api/") else "other")
        expected[(kind, e["status"])] += 1
    seen = collections.Counter({k: after[k] - before[k] for k in after if after[k] != before[k]})
    require(seen == expected, f"server's /metrics counted {dict(seen)}, the program made "
                              f"{dict(expected)}")


def crawl_after_start(record, server):
    """(start id, [(id, status)] of the page fetches after the start page was found
    through /graph/random)."""
    exchanges = [(path_of(e["url"], server.base), e["status"]) for e in record["exchanges"]]
    paths = [p for p, _ in exchanges]
    require("/graph/random" in paths, "never asked /graph/random for a start page")
    landing = paths.index("/graph/random") + 1
    start = page_id(paths[landing], server.graph)
    require(start is not None, f"/graph/random led to {paths[landing]}, not a page")
    fetches = [(page_id(p, server.graph), s) for p, s in exchanges[landing + 1:]
               if p.startswith("/api/")]
    require(all(i is not None for i, _ in fetches), "fetched a page that does not exist")
    return start, fetches


def check_crawl(server, start, fetches, limit, complete=True, overshoot=0):
    """Pages reached only through links; once each; all that is reachable through
    the pages answered (none past a puzzle or a 500) unless the limit stopped it."""
    graph = server.graph
    ids = [i for i, _ in fetches]
    require(ids and ids[0] == start, f"the crawl did not begin at its start page {start}")
    twice = [i for i, n in collections.Counter(ids).items() if n > 1]
    require(not twice, f"fetched pages more than once: {twice}")
    followed = {i for i, status in fetches
                if status == 200 and graph[i]["page_type"] not in PUZZLES}
    linked = {link for i in followed for link in graph[i]["links"]}
    stray = [i for i in ids if i != start and i not in linked]
    require(not stray, f"fetched pages no answered page links to: {stray}")
    require(len(ids) <= limit + overshoot, f"{len(ids)} pages, past max_pages={limit}")
    if complete and len(ids) < limit:
        missed = sorted(linked - set(ids))
        require(not missed, f"stopped at {len(ids)} pages, missing reachable {missed}")
    return len(ids)


def printed_count(record, pattern):
    """The count a line of its output (stdout, or stderr: logging) says."""
    output = record["stdout"] + record["stderr"]
    found = re.search(pattern, output)
    require(found, f"printed no line matching {pattern!r}:\n{output[-1000:]}")
    return int(found.group(1))


def ran_to_end(record):
    require(record["returncode"] == 0 and not record["error"],
            f"exited {record['returncode']}:\n{(record['error'] or record['stderr'])[-2000:]}")


# ---------------------------------------------------------------- the checks, one per program

def not_found_fetches(expected):
    def check(server, record):
        ran_to_end(record)
        statuses = [e["status"] for e in record["exchanges"]]
        require(statuses == [404] * expected, f"expected {expected} answers 404, got {statuses}")
        return f"{expected} requests for ids no server has (page0…): 404 {{\"error\": …}} each"
    return check


def placeholder(page_type):
    return lambda server: {"a1b2": server.ids_of(page_type)[0]}


def check_regular_page(server, record):
    ran_to_end(record)
    page = server.ids_of("regular")[0]
    data = record["globals"]["data"]
    require(data["page_id"] == page, f"read {data.get('page_id')}, not {page}")
    require([link.split("/")[-1] for link in data["links"]] == server.graph[page]["links"],
            "its links are not the page's")
    return f"regular page {page}: {len(data['links'])} links, as the graph has them"


def check_puzzle_answer(page_type):
    def check(server, record):
        ran_to_end(record)
        page = server.ids_of(page_type)[0]
        answer = record["globals"].get("target_page")
        require(answer == server.graph[page]["links"][0],
                f"solved {page_type} page {page} to {answer!r}, its link is "
                f"{server.graph[page]['links'][0]}")
        return f"{page_type} page {page}: 'hashseed' solved to its link {answer}"
    return check


def check_tolerant_crawl(limit):
    """A crawler that skips what has no links (puzzles, 500s) and follows the rest."""
    def check(server, record):
        ran_to_end(record)
        start, fetches = crawl_after_start(record, server)
        n = check_crawl(server, start, fetches, limit)
        pages = record["globals"]["pages"]
        require(len(pages) == n, f"returned {len(pages)} pages, fetched {n}")
        return f"{n} pages from {start}, every one reachable without a puzzle or a 500"
    return check


def check_guide_crash(server, record):
    require(record["returncode"] == 1 and "KeyError: 'links'" in (record["error"] or ""),
            f"expected it to stop with KeyError: 'links' (a page without links), "
            f"exited {record['returncode']}")
    start, fetches = crawl_after_start(record, server)
    last = fetches[-1]
    require(last[1] != 200 or server.graph[last[0]]["page_type"] in PUZZLES,
            f"stopped after page {last[0]}, which has links")
    kind = (f"failure page {last[0]}'s 500" if last[1] != 200
            else f"{server.graph[last[0]]['page_type']} page {last[0]}")
    return f"stops with KeyError: 'links' at {kind}, as the README says"


def check_guide_crawl(pattern, limit):
    def check(server, record):
        ran_to_end(record)
        start, fetches = crawl_after_start(record, server)
        n = check_crawl(server, start, fetches, limit)
        require(printed_count(record, pattern) == n, "printed another count than it fetched")
        require(len(record["globals"]["pages"]) == n, "returned another count than it fetched")
        return f"{n} pages from {start}: every page reachable from it"
    return check


def check_guide_asyncio(server, record):
    """Its batches keep only the links of the last batch (to_visit is replaced):
    pages are real and linked, but it may stop short of all that is reachable."""
    ran_to_end(record)
    start, fetches = crawl_after_start(record, server)
    n = check_crawl(server, start, fetches, 50, complete=False)
    require(printed_count(record, r"Asyncio \(10 concurrent\): Visited (\d+) pages") == n,
            "printed another count than it fetched")
    return f"{n} pages from {start}, each reached by a link (puzzles and 500s end a branch)"


def check_guide_multiprocessing(server, record):
    ran_to_end(record)
    results = record["globals"]["results"]
    require(len(results) == 20, f"analysed {len(results)} pages, not 20")
    for r in results:
        require(r["page_id"] in server.graph, f"analysed unknown page {r['page_id']}")
        require(r["link_count"] == len(server.graph[r["page_id"]]["links"]),
                f"page {r['page_id']}: {r['link_count']} links, the graph has "
                f"{len(server.graph[r['page_id']]['links'])}")
    return "20 sampled pages fetched and analysed in 4 processes, link counts right"


def check_guide_comparison(server, record):
    ran_to_end(record)
    require("failed" not in record["stdout"], f"a crawler failed:\n{record['stdout']}")
    counts = {}
    for name in ("Sequential", "Threading", "Asyncio"):
        counts[name] = printed_count(record, rf"(?m)^{name}\s*: (\d+) pages in .* pages/sec")
    reach = reachable(server, printed_start(record))
    require(counts["Sequential"] == counts["Threading"] == min(30, len(reach)),
            f"sequential and threading should both visit min(30, {len(reach)}): {counts}")
    require(0 < counts["Asyncio"] <= 30, f"asyncio visited {counts['Asyncio']}")
    return f"summary printed: {counts}"


def printed_start(record):
    found = re.search(r"Starting from page: (\w+)", record["stdout"])
    require(found, "printed no start page")
    return found.group(1)


def reachable(server, start):
    seen, queue = {start}, [start]
    while queue:
        for link in server.graph[queue.pop()]["links"]:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return seen


def check_requests_futures(server, record):
    """Batches of 5, so it may pass max_pages by up to 4."""
    ran_to_end(record)
    start, fetches = crawl_after_start(record, server)
    n = check_crawl(server, start, fetches, 50, overshoot=4)
    require(printed_count(record, r"Requests-futures: Visited (\d+) pages") == n,
            "printed another count than it fetched")
    return f"{n} pages from {start}, every one reachable without a puzzle or a 500"


def check_html_crawler(pattern):
    def check(server, record):
        ran_to_end(record)
        require(printed_count(record, pattern) == 1, "expected its start page alone")
        paths = {path_of(e["url"], server.base) for e in record["exchanges"]}
        require(paths <= {"", "/"}, f"fetched {sorted(paths)} beyond its start")
        return "its start page only: it follows href= in HTML, the server answers JSON"
    return check


# name, course blocks, server, argv, substitutions (server -> {old: new}), check
