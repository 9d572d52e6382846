/**
 * A minimal SMTP server on 127.0.0.1 (RFC 5321 subset: EHLO/HELO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA,
 * RSET, NOOP, QUIT; no STARTTLS) that records each message and can answer a command with a scripted
 * reply (e.g. 451 on DATA, 550 on RCPT) to exercise the sink's error handling.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  auth?: { user: string; pass: string };
}

export interface SmtpTestServer {
  port: number;
  mails: ReceivedMail[];
  /** Replies that override the normal answer to a command ("DATA", "RCPT", "MAIL", "AUTH", "EOM" for the end of data). */
  failures: Map<string, string>;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<SmtpTestServer> {
  const mails: ReceivedMail[] = [];
  const failures = new Map<string, string>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let authStep: 'none' | 'login-user' | 'login-pass' = 'none';
    let loginUser = '';
    let current: ReceivedMail = { from: '', to: [], data: '' };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 localhost test SMTP ready');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end).replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          inData = false;
          const fail = failures.get('EOM');
          if (fail) reply(fail);
          else {
            mails.push(current);
            reply('250 2.0.0 Ok: queued as TEST');
          }
          current = { from: '', to: [], data: '', auth: current.auth };
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (authStep === 'login-user') {
          loginUser = Buffer.from(line, 'base64').toString();
          authStep = 'login-pass';
          reply('334 UGFzc3dvcmQ6');
          continue;
        }
        if (authStep === 'login-pass') {
          current.auth = { user: loginUser, pass: Buffer.from(line, 'base64').toString() };
          authStep = 'none';
          reply(failures.get('AUTH') ?? '235 2.7.0 Authentication successful');
          continue;
        }
        const verb = line.split(' ')[0]!.toUpperCase();
        const fail = failures.get(verb);
        if (fail) {
          reply(fail);
          continue;
        }
        switch (verb) {
          case 'EHLO':
            socket.write('250-localhost\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
            break;
          case 'HELO':
            reply('250 localhost');
            break;
          case 'AUTH': {
            const [, mech, initial] = line.split(' ');
            if (mech?.toUpperCase() === 'PLAIN' && initial) {
              const [, user, pass] = Buffer.from(initial, 'base64').toString().split('\u0000');
              current.auth = { user: user ?? '', pass: pass ?? '' };
              reply('235 2.7.0 Authentication successful');
            } else if (mech?.toUpperCase() === 'LOGIN') {
              authStep = 'login-user';
              reply('334 VXNlcm5hbWU6');
            } else reply('504 5.5.4 Unrecognized authentication type');
            break;
          }
          case 'MAIL':
            current.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
            reply('250 2.1.0 Ok');
            break;
          case 'RCPT':
            current.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
            reply('250 2.1.5 Ok');
            break;
          case 'DATA':
            inData = true;
            reply('354 End data with <CR><LF>.<CR><LF>');
            break;
          case 'RSET':
            current = { from: '', to: [], data: '', auth: current.auth };
            reply('250 2.0.0 Ok');
            break;
          case 'NOOP':
            reply('250 2.0.0 Ok');
            break;
          case 'QUIT':
            reply('221 2.0.0 Bye');
            socket.end();
            break;
          default:
            reply('502 5.5.2 Error: command not recognized');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    mails,
    failures,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
