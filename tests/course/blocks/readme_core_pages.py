data = requests.get("http://localhost:5000/api/a1b2").json()
hashseeds = data["hashseed"]  # Dict with keys "1", "2", "3", "4"

# Solve in parallel
with ThreadPoolExecutor(max_workers=4) as executor:
    futures = []
    for pos, seed in hashseeds.items():
        futures.append(executor.submit(solve_hash, seed))
    results = [f.result() for f in futures]
