/* Errors of Secure Boot verification and measured boot; see errors.h. X(name, message) entries. */
#ifndef EP_ERRORS_TRUST_H
#define EP_ERRORS_TRUST_H
#define EP_ERROR_LIST_TRUST(X)                                                             \
	X(VERIFY_NO_PINS, "Secure Boot is on but this earlypatch.efi pins no files: nothing may be loaded") \
	X(VERIFY_NOT_PINNED, "file is not pinned in this signed earlypatch.efi") \
	X(VERIFY_MISMATCH, "file differs from its SHA-256 pin (modified after the image was signed)") \
	X(VERIFY_SIMULATION, "CPUID, MSR or feature simulation is refused under Secure Boot") \
	X(TPM_RESPONSE_BAD, "malformed TPM response") \
	X(TPM_RESPONSE_CODE, "the TPM answered with an error response code") \
	X(TPM_PCR_MISSING, "the TPM did not return this PCR (is its sha256 bank allocated?)") \
	X(TPM_LOG_BAD, "malformed TCG2 event log")
#endif
