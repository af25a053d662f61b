import threading
import requests

def fetch_page(url):
    response = requests.get(url)
    return response.json()

threads = []
for i in range(5):
    t = threading.Thread(target=fetch_page, args=(f"http://localhost:5000/api/page{i}",))
    threads.append(t)
    t.start()

for t in threads:
    t.join()
