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
