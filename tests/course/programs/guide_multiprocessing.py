import requests
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
import time

def analyze_page_content(page_data):
    """CPU-intensive analysis of page content"""
    page_id = page_data["page_id"]
    links = page_data["links"]

    # Simulate CPU-intensive work
    link_analysis = {}
    for link in links:
        link_id = link.split('/')[-1]
        # Simulate complex computation
        score = sum(ord(c) for c in link_id) * len(link_id)
        link_analysis[link_id] = score

    return {
        "page_id": page_id,
        "link_count": len(links),
        "total_score": sum(link_analysis.values()),
        "analysis": link_analysis
    }

def crawl_and_analyze_parallel(base_url, num_workers=4):
    """Fetch pages sequentially, then analyze in parallel"""
    # First, gather some pages
    sample = requests.get(f"{base_url}/graph/sample").json()
    pages_data = []

    print(f"Fetching {len(sample['page_ids'])} pages...")
    for page_id in sample["page_ids"][:20]:  # Limit for demo
        response = requests.get(f"{base_url}/api/{page_id}")
        pages_data.append(response.json())

    # Analyze pages in parallel
    print(f"Analyzing with {num_workers} processes...")
    start_time = time.time()

    with ProcessPoolExecutor(max_workers=num_workers) as executor:
        results = list(executor.map(analyze_page_content, pages_data))

    elapsed = time.time() - start_time
    total_score = sum(r["total_score"] for r in results)

    print(f"Multiprocessing ({num_workers} processes): Analyzed {len(results)} pages in {elapsed:.2f}s")
    print(f"Total analysis score: {total_score}")
    return results

# Usage
results = crawl_and_analyze_parallel("http://localhost:5000")
