import requests
import time

def crawl_sequential(base_url, start_page, max_pages=50):
    """Crawl pages sequentially - slowest approach"""
    visited = set()
    to_visit = [f"/api/{start_page}"]

    start_time = time.time()

    while to_visit and len(visited) < max_pages:
        current_path = to_visit.pop(0)
        if current_path in visited:
            continue

        visited.add(current_path)

        try:
            response = requests.get(f"{base_url}{current_path}")
            data = response.json()

            # Add linked pages to visit queue
            for link in data["links"]:
                if link not in visited:
                    to_visit.append(link)

        except requests.RequestException as e:
            print(f"Error fetching {current_path}: {e}")

    elapsed = time.time() - start_time
    print(f"Sequential: Visited {len(visited)} pages in {elapsed:.2f}s")
    return visited

# Usage
start_page = requests.get("http://localhost:5000/graph/random").json()["page_id"]
pages = crawl_sequential("http://localhost:5000", start_page)
import requests
import threading
import time
from queue import Queue

def crawl_with_threading(base_url, start_page, max_pages=50, num_threads=5):
    """Crawl using threading - good for I/O-bound web requests"""
    visited = set()
    visited_lock = threading.Lock()
    to_visit = Queue()
    to_visit.put(f"/api/{start_page}")

    start_time = time.time()

    def worker():
        while True:
            try:
                current_path = to_visit.get(timeout=1)
            except:
                break

            with visited_lock:
                if current_path in visited or len(visited) >= max_pages:
                    to_visit.task_done()
                    continue
                visited.add(current_path)

            try:
                response = requests.get(f"{base_url}{current_path}")
                data = response.json()

                # Add new links to queue
                for link in data["links"]:
                    with visited_lock:
                        if link not in visited:
                            to_visit.put(link)

            except requests.RequestException as e:
                print(f"Error fetching {current_path}: {e}")

            to_visit.task_done()

    # Start worker threads
    threads = []
    for _ in range(num_threads):
        t = threading.Thread(target=worker)
        t.daemon = True
        t.start()
        threads.append(t)

    # Wait for completion
    to_visit.join()

    elapsed = time.time() - start_time
    print(f"Threading ({num_threads} threads): Visited {len(visited)} pages in {elapsed:.2f}s")
    return visited
import asyncio
import aiohttp
import time

async def crawl_with_asyncio(base_url, start_page, max_pages=50, max_concurrent=10):
    """Crawl using asyncio - excellent for many concurrent I/O operations"""
    visited = set()
    to_visit = [f"/api/{start_page}"]
    semaphore = asyncio.Semaphore(max_concurrent)

    start_time = time.time()

    async def fetch_page(session, path):
        async with semaphore:
            if path in visited or len(visited) >= max_pages:
                return []

            visited.add(path)

            try:
                async with session.get(f"{base_url}{path}") as response:
                    data = await response.json()
                    return data["links"]
            except Exception as e:
                print(f"Error fetching {path}: {e}")
                return []

    async with aiohttp.ClientSession() as session:
        while to_visit and len(visited) < max_pages:
            # Process current batch
            tasks = [fetch_page(session, path) for path in to_visit[:max_concurrent]]
            results = await asyncio.gather(*tasks, return_exceptions=True)

            # Collect new links
            new_links = []
            for result in results:
                if isinstance(result, list):
                    new_links.extend(result)

            # Update to_visit with unvisited links
            to_visit = [link for link in new_links if link not in visited]

    elapsed = time.time() - start_time
    print(f"Asyncio ({max_concurrent} concurrent): Visited {len(visited)} pages in {elapsed:.2f}s")
    return visited

# Usage
async def main():
    response = requests.get("http://localhost:5000/graph/random")
    start_page = response.json()["page_id"]
    pages = await crawl_with_asyncio("http://localhost:5000", start_page)

asyncio.run(main())
import time
import requests

def compare_approaches():
    """Compare different concurrency approaches"""
    base_url = "http://localhost:5000"

    # Get starting page
    start_response = requests.get(f"{base_url}/graph/random")
    start_page = start_response.json()["page_id"]

    print(f"Starting from page: {start_page}")
    print("=" * 50)

    # Test each approach
    approaches = [
        ("Sequential", lambda: crawl_sequential(base_url, start_page, 30)),
        ("Threading", lambda: crawl_with_threading(base_url, start_page, 30, 5)),
        ("Asyncio", lambda: asyncio.run(crawl_with_asyncio(base_url, start_page, 30, 10)))
    ]

    results = {}
    for name, func in approaches:
        print(f"\nTesting {name}...")
        try:
            start_time = time.time()
            pages = func()
            elapsed = time.time() - start_time
            results[name] = {"pages": len(pages), "time": elapsed}
            print(f"{name}: {len(pages)} pages in {elapsed:.2f}s")
        except Exception as e:
            print(f"{name} failed: {e}")
            results[name] = {"error": str(e)}

    print("\n" + "=" * 50)
    print("RESULTS SUMMARY:")
    for name, result in results.items():
        if "error" not in result:
            print(f"{name:12}: {result['pages']} pages in {result['time']:.2f}s "
                  f"({result['pages']/result['time']:.1f} pages/sec)")

# Run comparison
if __name__ == "__main__":
    compare_approaches()
