-- CPU kernels: the course's classic compute tasks, as Lua functions a compute
-- task names with "lua:scripts/kernels.lua#<function>". Each returns a number,
-- a string, or a list (written joined by commas).

-- 1^2 + 2^2 + ... + n^2, summed one by one on purpose: the loop is the work.
function sum_of_squares(n)
  local total = 0
  for i = 1, n do total = total + i * i end
  return total
end

-- The prime factors of n, smallest first: prime_factors(360) -> {2, 2, 2, 3, 3, 5}.
function prime_factors(n)
  local factors, d = {}, 2
  while n > 1 and d * d <= n do
    while n % d == 0 do
      factors[#factors + 1] = d
      n = n // d
    end
    d = d + 1
  end
  if n > 1 then factors[#factors + 1] = n end
  return factors
end

-- The number of decimal digits of n!, by multiplying in base 10^7 limbs.
function factorial_digits(n)
  local limbs, base = {1}, 10000000
  for k = 2, n do
    local carry = 0
    for i = 1, #limbs do
      local v = limbs[i] * k + carry
      limbs[i] = v % base
      carry = v // base
    end
    while carry > 0 do
      limbs[#limbs + 1] = carry % base
      carry = carry // base
    end
  end
  return (#limbs - 1) * 7 + #tostring(limbs[#limbs])
end

-- Waits `seconds` the way a request waits on the network: concur.sleep
-- releases the GIL (as Python's time.sleep does), so threads overlap their
-- waits even under `gil: true`. The I/O half of the GIL lesson.
function wait_io(seconds)
  concur.sleep(seconds)
  return seconds
end

-- Checks the GIL from inside: under `gil: true` no other thread may run Lua
-- at any instant this kernel looks. Returns how many checks it made.
function gil_exclusive(checks)
  for i = 1, checks do
    local running = concur.running_kernels()
    if running ~= 1 then
      error(string.format("check %d: %d kernels running at once", i, running))
    end
  end
  return checks
end
