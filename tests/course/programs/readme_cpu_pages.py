# >>> not in the course: the imports it needs
import hashlib
import requests
# <<<
data = requests.get("http://localhost:5000/api/a1b2").json()
result = data["hashseed"]
for i in range(50000000):
    result = hashlib.md5(f"{result}_{i}".encode()).hexdigest()
target_page = result[:4]
