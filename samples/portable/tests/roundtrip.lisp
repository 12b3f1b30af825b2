; 100,000 random doubles (random bit patterns) through %.17g and strtod:
; how many did not come back bit for bit, and an FNV-1a hash of every
; text printed, which is the same only where printf's digits are exact.
(print (roundtrip 100000 12345))
(print (roundtrip 1000 1))
