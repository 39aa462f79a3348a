/** Where the re-authentication callback may send the browser: the stage's origins, exactly, and nothing else. */
import { describe, expect, it } from 'vitest';
import { returnUrlProblem } from './return-urls';

const stage = {
  origins: ['https://app.partner.example', 'https://partner.example:8443'],
  allowLoopback: false,
};
const local = { origins: [], allowLoopback: true };

describe('returnUrlProblem', () => {
  it('accepts any path and query on an allowed origin, as the URL standard normalises it', () => {
    for (const url of [
      'https://app.partner.example/heat-pump/reconnected?device=1#top',
      'https://APP.partner.example:443/',
      'https://partner.example:8443/x',
    ]) {
      expect(returnUrlProblem(url, stage), url).toBeNull();
    }
  });

  it('refuses every other origin: another host, scheme or port, a look-alike, an internal address', () => {
    for (const url of [
      'https://evil.example/phish',
      'http://app.partner.example/heat-pump',
      'https://app.partner.example:444/',
      'https://partner.example/',
      'https://app.partner.example.evil.example/',
      'https://evil.example/https://app.partner.example',
      'https://169.254.169.254/latest/meta-data/',
      'http://127.0.0.1:3000/x',
      'https://localhost/x',
    ]) {
      expect(returnUrlProblem(url, stage), url).toBe(
        'must be on an origin this stage allows for return URLs',
      );
    }
  });

  it('refuses a user name or password, also where the host is allowed', () => {
    expect(returnUrlProblem('https://app.partner.example@evil.example/', stage)).toBe(
      'must not contain a user name or password',
    );
    expect(returnUrlProblem('https://good@app.partner.example/', stage)).toBe(
      'must not contain a user name or password',
    );
    expect(returnUrlProblem('https://:pw@app.partner.example/', stage)).toBe(
      'must not contain a user name or password',
    );
  });

  it('refuses a CR, LF, other control character, white space or backslash, which would split or bend the Location', () => {
    for (const url of [
      'https://app.partner.example/a\r\nSet-Cookie: x=1',
      'https://app.partner.example/a\nb',
      'https://app.partner.example/a\u0000',
      'https://app.partner.example/a b',
      'https://app.partner.example\\@evil.example',
      'https://app.partner.example/a\u007f',
    ]) {
      expect(returnUrlProblem(url, stage), JSON.stringify(url)).toBe(
        'must not contain control characters, white space or backslashes',
      );
    }
  });

  it('refuses what is not an absolute URL', () => {
    expect(returnUrlProblem('/heat-pump', stage)).toBe('must be an absolute URL');
  });

  it('takes loopback pages on any port only where the stage allows loopback', () => {
    for (const url of ['http://127.0.0.1:3000/x', 'https://localhost:5173/', 'http://[::1]:8080/']) {
      expect(returnUrlProblem(url, local), url).toBeNull();
    }
    expect(returnUrlProblem('http://127.0.0.2/', local)).not.toBeNull();
    expect(returnUrlProblem('ftp://127.0.0.1/', local)).not.toBeNull();
    expect(returnUrlProblem('https://evil.example/', local)).not.toBeNull();
  });
});
