# >>> not in the course: the imports it needs
import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
import aiohttp
import requests
# <<<
# Sequential (baseline)
def crawl_sequential(start_url, max_pages=50):
    visited = set()
    to_visit = [start_url]
    while to_visit and len(visited) < max_pages:
        current = to_visit.pop(0)
        if current in visited:
            continue
        visited.add(current)
        data = requests.get(current).json()
        to_visit.extend(data.get("links", []))
    return visited

# Threading
def crawl_threaded(start_url, max_pages=50, num_threads=5):
    # Use ThreadPoolExecutor with worker threads
    # Process pages concurrently
# >>> not in the course: the body its comments describe, crawl_sequential's loop a level at a time
    visited = set()
    to_visit = [start_url]
    with ThreadPoolExecutor(max_workers=num_threads) as executor:
        while to_visit and len(visited) < max_pages:
            batch = []
            for url in to_visit:
                if url not in visited and len(visited) < max_pages:
                    visited.add(url)
                    batch.append(url)
            pages = executor.map(lambda url: requests.get(url).json(), batch)
            to_visit = [link for data in pages for link in data.get("links", [])]
    return visited
# <<<

# Asyncio
async def crawl_async(start_url, max_pages=50, max_concurrent=10):
    # Use aiohttp with semaphore for concurrency control
    # Process many pages simultaneously
# >>> not in the course: the body its comments describe, crawl_sequential's loop a level at a time
    semaphore = asyncio.Semaphore(max_concurrent)
    visited = set()
    to_visit = [start_url]

    async def fetch(session, url):
        async with semaphore:
            async with session.get(url) as response:
                return await response.json()

    async with aiohttp.ClientSession() as session:
        while to_visit and len(visited) < max_pages:
            batch = []
            for url in to_visit:
                if url not in visited and len(visited) < max_pages:
                    visited.add(url)
                    batch.append(url)
            pages = await asyncio.gather(*(fetch(session, url) for url in batch))
            to_visit = [link for data in pages for link in data.get("links", [])]
    return visited
# <<<
# >>> not in the course: a start page (a page's URL: links are absolute URLs) and one
# crawler run, named by the first argument: sequential (the default), threaded or async
start_url = requests.get("http://localhost:5000/graph/random").url
crawler = sys.argv[1] if len(sys.argv) > 1 else "sequential"
if crawler == "async":
    pages = asyncio.run(crawl_async(start_url))
else:
    pages = {"sequential": crawl_sequential, "threaded": crawl_threaded}[crawler](start_url)
print(f"{crawler}: visited {len(pages)} pages from {start_url}")
# <<<
