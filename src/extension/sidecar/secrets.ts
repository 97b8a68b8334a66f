/**
 * API keys live only in SecretStorage (the OS keychain). When the keychain is unavailable a key is
 * kept in memory for this session only: never written to settings, files or logs.
 */
import type * as vscode from 'vscode';
import type { InitializeParams } from '../../protocol/sidecar';
import { KEY_PROVIDERS, secretKey, type KeyProvider } from './supervision';

export type StoreOutcome = 'stored' | 'sessionOnly';

export class ApiKeyStore {
	/** Keys the keychain refused, for this session only. */
	private readonly memory = new Map<KeyProvider, string>();
	/** Every value seen, so log lines can be scrubbed synchronously. */
	private readonly seen = new Set<string>();

	constructor(
		private readonly secrets: Pick<vscode.SecretStorage, 'get' | 'store' | 'delete'>,
		private readonly log: Pick<vscode.LogOutputChannel, 'warn'>,
	) {}

	async get(provider: KeyProvider): Promise<string | undefined> {
		const inMemory = this.memory.get(provider);
		if (inMemory !== undefined) return this.remember(inMemory);
		try {
			return this.remember((await this.secrets.get(secretKey(provider))) || undefined);
		} catch (e: unknown) {
			this.log.warn(`Could not read the ${provider} API key from SecretStorage: ${errorText(e)}`);
			return undefined;
		}
	}

	async set(provider: KeyProvider, value: string): Promise<StoreOutcome> {
		this.remember(value);
		try {
			await this.secrets.store(secretKey(provider), value);
			this.memory.delete(provider);
			return 'stored';
		} catch (e: unknown) {
			// No keyring (e.g. a headless Linux box): keep it for this session, never fall back to plaintext.
			this.log.warn(`SecretStorage refused the ${provider} API key (${errorText(e)}); it is kept in memory for this session only.`);
			this.memory.set(provider, value);
			return 'sessionOnly';
		}
	}

	async delete(provider: KeyProvider): Promise<void> {
		this.memory.delete(provider);
		try {
			await this.secrets.delete(secretKey(provider));
		} catch (e: unknown) {
			this.log.warn(`Could not delete the ${provider} API key from SecretStorage: ${errorText(e)}`);
		}
	}

	/** The `secrets` of `initialize`: sent over stdio only. */
	async forInitialize(): Promise<NonNullable<InitializeParams['secrets']>> {
		const [anthropicApiKey, openaiApiKey, compatibleApiKey] = await Promise.all(KEY_PROVIDERS.map((p) => this.get(p)));
		return {
			...(anthropicApiKey ? { anthropicApiKey } : {}),
			...(openaiApiKey ? { openaiApiKey } : {}),
			...(compatibleApiKey ? { compatibleApiKey } : {}),
		};
	}

	/** Values to scrub from anything logged. */
	knownValues(): Iterable<string> {
		return this.seen;
	}

	private remember(value: string | undefined): string | undefined {
		if (value) this.seen.add(value);
		return value;
	}
}

/** An error's message without its stack (a stack may quote arguments). */
function errorText(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}
