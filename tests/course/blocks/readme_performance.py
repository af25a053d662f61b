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

# Asyncio
async def crawl_async(start_url, max_pages=50, max_concurrent=10):
    # Use aiohttp with semaphore for concurrency control
    # Process many pages simultaneously
