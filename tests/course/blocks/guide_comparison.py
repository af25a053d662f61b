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
