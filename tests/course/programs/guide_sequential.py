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
