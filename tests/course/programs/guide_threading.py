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
# >>> not in the course: its usage, as the sequential crawler's above it
start_page = requests.get("http://localhost:5000/graph/random").json()["page_id"]
pages = crawl_with_threading("http://localhost:5000", start_page)
# <<<
