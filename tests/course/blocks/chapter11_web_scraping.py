import asyncio
import aiohttp
from bs4 import BeautifulSoup
import time
import logging

# Setup logging
logging.basicConfig(level=logging.INFO, format='%(asctime)s - %(levelname)s - %(message)s')
logger = logging.getLogger(__name__)

async def fetch_page(session, url):
    """Fetch a web page asynchronously"""
    try:
        async with session.get(url, timeout=10) as response:
            if response.status == 200:
                logger.info(f"Fetched {url}")
                return await response.text()
            logger.warning(f"Error fetching {url}: HTTP {response.status}")
            return None
    except Exception as e:
        logger.error(f"Exception fetching {url}: {str(e)}")
        return None

async def extract_links(session, url, base_url):
    """Extract all links from a page"""
    html = await fetch_page(session, url)
    if not html:
        return []
    
    soup = BeautifulSoup(html, 'html.parser')
    links = []
    
    for a_tag in soup.find_all('a', href=True):
        href = a_tag['href']
        if href.startswith('/'):
            # Convert relative URL to absolute
            href = base_url + href
        if href.startswith(base_url):
            links.append(href)
    
    return links

async def crawl(start_url, max_pages=10):
    """Crawl a website asynchronously"""
    base_url = '/'.join(start_url.split('/')[:3])  # Extract protocol + domain
    visited = set()
    to_visit = {start_url}
    results = {}
    
    async with aiohttp.ClientSession() as session:
        while to_visit and len(visited) < max_pages:
            # Get up to 5 URLs to fetch concurrently
            current_batch = list(to_visit)[:5]
            to_visit = to_visit - set(current_batch)
            
            # Fetch all pages in the current batch
            tasks = [fetch_page(session, url) for url in current_batch]
            pages = await asyncio.gather(*tasks)
            
            # Process the results
            for url, html in zip(current_batch, pages):
                visited.add(url)
                if html:
                    results[url] = len(html)
                    
                    # Find new links to visit
                    if len(visited) < max_pages:
                        new_links = await extract_links(session, url, base_url)
                        to_visit.update(set(new_links) - visited)
            
            logger.info(f"Visited {len(visited)} pages, {len(to_visit)} remaining")
    
    return results

async def main():
    start_time = time.time()
    results = await crawl("https://www.python.org", max_pages=20)
    elapsed = time.time() - start_time
    
    logger.info(f"Crawled {len(results)} pages in {elapsed:.2f} seconds")
    
    # Print summary of results
    for url, size in sorted(results.items(), key=lambda x: x[1], reverse=True)[:5]:
        logger.info(f"{url}: {size} bytes")

# Run the crawler
if __name__ == "__main__":
    asyncio.run(main())
