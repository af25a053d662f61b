-- A scenario: grow the threads strategy's worker count until efficiency stops
-- improving, writing a CSV row per run.
--   concur run scripts/sweep.lua
-- SWEEP_PAGES and SWEEP_DELAY_SCALE shrink it (the test suite runs it small).

local pages = tonumber(os.getenv("SWEEP_PAGES")) or 300
local delay_scale = tonumber(os.getenv("SWEEP_DELAY_SCALE")) or 0.05
local out = os.getenv("SWEEP_CSV") or "results/sweep.csv"

local srv = concur.server{seed = 7, pages = pages, delay_scale = delay_scale,
                          cpu_iterations = 20000, core_iterations = 5000}
local best = 0
for _, workers in ipairs{1, 2, 4, 8, 16, 32, 64} do
  local r = concur.run{server = srv, strategy = {plugin = "threads", workers = workers}}
  concur.log(string.format("workers=%-3d wall=%6.2fs pages=%d efficiency=%.2f",
                           workers, r.wall_s, r.pages_ok, r.efficiency))
  concur.csv(out, r)
  if r.status ~= "ok" then error("run failed: " .. r.error) end
  if r.efficiency < best * 1.02 then
    concur.log(string.format("stopped: %d workers gained less than 2%%", workers))
    break
  end
  best = math.max(best, r.efficiency)
end
srv:stop()
