# >>> not in the course: the import it needs (the guide's earlier blocks make it)
import time
# <<<
# Using requests-futures for simple async-like behavior
from requests_futures.sessions import FuturesSession

def crawl_with_requests_futures(base_url, start_page, max_pages=50):
    """Using requests-futures for concurrent requests"""
    session = FuturesSession(max_workers=5)
    visited = set()
    to_visit = [f"/api/{start_page}"]

    start_time = time.time()

    while to_visit and len(visited) < max_pages:
        # Submit batch of requests
        futures = []
        current_batch = to_visit[:5]  # Process 5 at a time
        to_visit = to_visit[5:]

        for path in current_batch:
            if path not in visited:
                visited.add(path)
                future = session.get(f"{base_url}{path}")
                futures.append((path, future))

        # Collect results
        for path, future in futures:
            try:
                response = future.result(timeout=5)
                data = response.json()
                for link in data["links"]:
                    if link not in visited:
                        to_visit.append(link)
            except Exception as e:
                print(f"Error with {path}: {e}")

    elapsed = time.time() - start_time
    print(f"Requests-futures: Visited {len(visited)} pages in {elapsed:.2f}s")
    return visited
# >>> not in the course: its usage, as the sequential crawler's
import requests
start_page = requests.get("http://localhost:5000/graph/random").json()["page_id"]
pages = crawl_with_requests_futures("http://localhost:5000", start_page)
# <<<
