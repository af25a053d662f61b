import requests
from collections import deque
from urllib.parse import urljoin, urlparse
import re


class SynchronousCrawler:
    def __init__(self, start_url, max_depth=2):
        self.start_url = start_url
        self.max_depth = max_depth
        self.visited = set()

    def is_same_domain(self, url1, url2):
        return urlparse(url1).netloc == urlparse(url2).netloc

    def extract_links(self, current_url, html):
        pattern = r'href="([^"]+)"'
        for match in re.findall(pattern, html, re.IGNORECASE):
            try:
                yield urljoin(current_url, match)
            # To prevent a strange URL parsing error.
            except ValueError:
                pass

    def crawl(self):
        # Double ended queue - allows us to remove visited URLs from the left 
        # and add new URLs to the right. 
        queue = deque([(self.start_url, 0)])

        while queue:
            # Remove from the left
            current_url, depth = queue.popleft()
            # membership check
            # Oversimplified - matching URLs only
            if current_url in self.visited:
                continue
            self.visited.add(current_url)
            # depth check
            if depth > self.max_depth:
                continue

            try:
                print(f"Crawling: {current_url} (depth {depth})")
                resp = requests.get(current_url, timeout=5)
                resp.raise_for_status()
                # Oversimplified: extract links with a regex pattern.
                for link in self.extract_links(current_url, resp.text):
                    # Only append to the queue if it's unique, unvisited, and same domain
                    if link not in self.visited and self.is_same_domain(self.start_url, link):
                        queue.append((link, depth + 1))

            except requests.RequestException as e:
                print(f"Error crawling {current_url}: {e}")

        return self.visited


if __name__ == "__main__":
    crawler = SynchronousCrawler("https://www.google.com", max_depth=1)
    results = crawler.crawl()
    print(f"\nCrawled {len(results)} URLs.")

