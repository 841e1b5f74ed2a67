#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/fuzz/seeds.py - write the seed corpus of tests/fuzz/corpus.

Run from the top of the tree: python3 tests/fuzz/seeds.py
It rewrites the seeds it knows (by name) and leaves other files alone
(regression seeds from fixed crashes are added by hand, named
regress-*).  The SIP seeds rely on fuzz_sip's deterministic randomness:
the tags and branches below are what the agent picks (FUZZ_SIP_PRINT=1
shows them).
"""
import os
import struct

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')


def put(target, name, data):
    d = os.path.join(TOP, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def lines(s):
    return s.strip('\n').replace('\n', '\r\n') + '\r\n'


# ---- SIP ------------------------------------------------------------------

SEP = b'%%%%'
ME = 'sip:1001@127.0.0.1'

SDP_OFFER = lines('''v=0
o=alice 2890844526 2890844526 IN IP4 127.0.0.2
s=-
c=IN IP4 127.0.0.2
t=0 0
m=audio 49170 RTP/AVP 0 8 97 101
a=rtpmap:97 iLBC/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20''')

SDP_ANSWER = lines('''v=0
o=bob 2808844564 2808844564 IN IP4 127.0.0.2
s=-
c=IN IP4 127.0.0.2
t=0 0
m=audio 49172 RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=sendrecv''')


def sip(start, headers, body='', ctype=None, clen=True):
    h = start + '\r\n' + ''.join(x + '\r\n' for x in headers)
    if ctype:
        h += 'Content-Type: %s\r\n' % ctype
    if clen:
        h += 'Content-Length: %d\r\n' % len(body.encode())
    return (h + '\r\n' + body).encode()


def req(method, cseq, branch, totag=None, cid='a84b4c76e66710',
        ftag='1928301774', via='UDP 127.0.0.2:5060', extra=(), body='',
        ctype=None, ruri=ME, cseq_method=None):
    to = '<%s>' % ME + (';tag=%s' % totag if totag else '')
    hs = ['Via: SIP/2.0/%s;branch=%s;rport' % (via, branch),
          'Max-Forwards: 70',
          'To: ' + to,
          'From: "Alice Smith" <sip:5551234@127.0.0.2>;tag=' + ftag,
          'Call-ID: ' + cid,
          'CSeq: %d %s' % (cseq, cseq_method or method)]
    hs += list(extra)
    return sip('%s %s SIP/2.0' % (method, ruri), hs, body, ctype)


CONTACT = 'Contact: <sip:5551234@127.0.0.2:5060>'
RR = 'Record-Route: <sip:127.0.0.2;lr>'
PAI = 'P-Asserted-Identity: "Bob Jones" <sip:+15551234@127.0.0.2>'
LTAG = 'edc1cd6969986c34'    # our To tag for the first incoming call


def invite(branch='z9hG4bK776asdhds', extra=(CONTACT, RR, PAI), **kw):
    return req('INVITE', 314159, branch, extra=extra, body=SDP_OFFER,
               ctype='application/sdp', **kw)


def udp(mode, *msgs):
    return bytes([mode]) + SEP.join(msgs)


def tcp(mode, *msgs):
    return bytes([mode]) + b''.join(msgs)


def sip_seeds():
    # incoming call from the registrar, answered: ACK, DTMF INFOs, a
    # re-INVITE, BYE
    dialog = [
        invite(),
        req('ACK', 314159, 'z9hG4bK776asdhdt', LTAG),
        req('INFO', 314160, 'z9hG4bKinfo1', LTAG,
            body='Signal=5\r\nDuration=160\r\n',
            ctype='application/dtmf-relay'),
        req('INFO', 314161, 'z9hG4bKinfo2', LTAG, body='#\r\n',
            ctype='application/dtmf'),
        req('INFO', 314162, 'z9hG4bKinfo3', LTAG, body='Signal=x\r\n',
            ctype='application/dtmf-relay'),
        req('INFO', 314163, 'z9hG4bKinfo4', LTAG, body='hello',
            ctype='text/plain'),
        req('INVITE', 314164, 'z9hG4bKreinv', LTAG, extra=(CONTACT,),
            body=SDP_OFFER, ctype='application/sdp'),
        req('ACK', 314164, 'z9hG4bKreack', LTAG),
        req('BYE', 314165, 'z9hG4bKbye1', LTAG),
    ]
    put('sip', 'udp-incoming-answered-dialog', udp(0x01, *dialog))
    # message waiting and transfer in and out of that call (the agent's
    # tag today: LTAG is stale, the seed above no longer reaches its dialog)
    ltag = '564894e02f9ac4ed'
    mwi = 'Messages-Waiting: yes\r\nVoice-Message: 2/8 (0/2)\r\n'
    events = [
        invite(),
        req('ACK', 314159, 'z9hG4bK776asdhdt', ltag),
        req('NOTIFY', 1, 'z9hG4bKmwi1', cid='mwi1', ftag='vm1',
            extra=('Event: message-summary', 'Subscription-State: active'),
            body=mwi, ctype='application/simple-message-summary'),
        req('NOTIFY', 2, 'z9hG4bKmwi2', cid='mwi2', ftag='vm2',
            extra=('Event: message-summary',), body='Messages-Waiting: x\r\n',
            ctype='application/simple-message-summary'),
        req('NOTIFY', 3, 'z9hG4bKev3', cid='ev3', ftag='vm3',
            extra=('Event: presence',)),
        req('REFER', 314160, 'z9hG4bKref1', ltag,
            extra=(CONTACT, 'Refer-To: <sip:carol@127.0.0.2?Replaces=x%40y'
                   '%3Bto-tag%3D1%3Bfrom-tag%3D2>', 'Referred-By: <sip:a@b>')),
        req('REFER', 314161, 'z9hG4bKref2', ltag, extra=('Refer-To: junk',)),
        req('NOTIFY', 314162, 'z9hG4bKnref', ltag,
            extra=('Event: refer', 'Subscription-State: active'),
            body='SIP/2.0 180 Ringing\r\n', ctype='message/sipfrag'),
        req('REFER', 1, 'z9hG4bKref3', cid='ood', ftag='o1',
            extra=('Refer-To: <sip:x@y>',)),
        invite(branch='z9hG4bKrepl', cid='repl1', ftag='r1',
               extra=(CONTACT, 'Replaces: a84b4c76e66710;to-tag=%s;'
                      'from-tag=1928301774' % ltag)),
        invite(branch='z9hG4bKrepl2', cid='repl2', ftag='r2',
               extra=(CONTACT, 'Replaces: nosuch;to-tag=1;from-tag=2')),
        req('BYE', 314165, 'z9hG4bKbye1', ltag),
    ]
    put('sip', 'udp-notify-refer-replaces', udp(0x01, *events))
    put('sip', 'tcp-incoming-answered-dialog',
        tcp(0x03, *[m.replace(b'SIP/2.0/UDP', b'SIP/2.0/TCP')
                    for m in dialog[:3]], b'\r\n\r\n',
            *[m.replace(b'SIP/2.0/UDP', b'SIP/2.0/TCP') for m in dialog[3:]]))
    put('sip', 'tcp-pieces-7-incoming',
        tcp(0x43, invite(via='TCP 127.0.0.2:5060'), b'\r\n\r\n',
            req('ACK', 314159, 'z9hG4bK1', LTAG, via='TCP 127.0.0.2:5060')))
    put('sip', 'tcp-pieces-64-keepalives',
        tcp(0x83, b'\r\n\r\n\r\n', req('OPTIONS', 1, 'z9hG4bKo',
                                         via='TCP 127.0.0.2:5060'),
            b'\r\n\r\n\n\r'))
    put('sip', 'tcp-no-content-length',
        tcp(0x03, sip('OPTIONS %s SIP/2.0' % ME,
                      ['Via: SIP/2.0/TCP 127.0.0.2;branch=z9hG4bKx',
                       'Max-Forwards: 70', 'To: <%s>' % ME,
                       'From: <sip:a@127.0.0.2>;tag=1', 'Call-ID: x',
                       'CSeq: 1 OPTIONS'], clen=False)))
    put('sip', 'tcp-two-content-lengths-compact',
        tcp(0xc3, req('OPTIONS', 1, 'z9hG4bKo', via='TCP 127.0.0.2:5060',
                      extra=('l: 0',)).replace(b'Content-Length: 0',
                                               b'Content-Length: 4')))
    # the same INVITE from a stranger: 403
    put('sip', 'udp-stranger-invite', udp(0x00, invite(via='UDP 127.0.0.99:5070')))
    # ringing with early media, then CANCEL and the ACK of the 487
    put('sip', 'udp-incoming-ringing-cancel',
        udp(0x11, invite(),
            req('CANCEL', 314159, 'z9hG4bK776asdhds'),
            req('ACK', 314159, 'z9hG4bK776asdhds', LTAG)))
    # Alert-Info in every form (and malformed ones), Privacy: the
    # caller fields fxsd's services read (sip/caller.c); one folded line
    put('sip', 'udp-incoming-alert-info-privacy',
        udp(0x31,
            invite(extra=(CONTACT, 'Alert-Info: <http://127.0.0.1/Bellcore-dr2>',
                          'Alert-Info: info=alert-group, Bellcore-dr3,',
                          ' <urn:alert:source:external>;x=1',
                          'Alert-Info: <<<>>>;;;===, "unterminated',
                          'Privacy: id;header')),
            invite(branch='z9hG4bKanon', cid='anon', ftag='anon',
                   extra=(CONTACT, 'Alert-Info: <http://x/y>;info="dr2',
                          'Alert-Info: <urn:alert:service:' + 'x' * 80 + '>'))))
    # rejected 486, ACK; a retransmitted INVITE
    put('sip', 'udp-incoming-rejected',
        udp(0x21, invite(), req('ACK', 314159, 'z9hG4bK776asdhds', LTAG),
            invite()))
    # left ringing; INVITE without Contact (400); the dialog limit
    put('sip', 'udp-incoming-ringing-limits',
        udp(0x31, invite(), invite(branch='z9hG4bKnc', extra=(),
                                   cid='no-contact'),
            *[invite(branch='z9hG4bKl%d' % i, cid='limit-%d' % i,
                     ftag='t%d' % i) for i in range(9)]))
    # requests outside a dialog
    put('sip', 'udp-out-of-dialog',
        udp(0x01,
            req('OPTIONS', 1, 'z9hG4bKopt', extra=('Accept: application/sdp',)),
            req('UPDATE', 2, 'z9hG4bKupd'),
            req('UPDATE', 3, 'z9hG4bKupd2', body=SDP_OFFER,
                ctype='application/sdp'),
            req('REGISTER', 4, 'z9hG4bKreg', ruri='sip:127.0.0.1'),
            req('MESSAGE', 5, 'z9hG4bKmsg', body='hi', ctype='text/plain'),
            req('BYE', 6, 'z9hG4bKbye', 'nosuchtag'),
            req('CANCEL', 7, 'z9hG4bKnomatch'),
            req('INFO', 8, 'z9hG4bKinfo', 'nosuchtag', body='5',
                ctype='application/dtmf'),
            req('ACK', 9, 'z9hG4bKack', 'nosuchtag'),
            req('NOTIFY', 10, 'z9hG4bKntf', extra=('Event: check-sync',))))
    # malformed: missing headers (400 or dropped)
    put('sip', 'udp-missing-headers',
        udp(0x01,
            sip('OPTIONS %s SIP/2.0' % ME, ['Max-Forwards: 70',
                                             'To: <%s>' % ME,
                                             'From: <sip:a@b>;tag=1',
                                             'Call-ID: nv', 'CSeq: 1 OPTIONS']),
            req('OPTIONS', 1, 'z9hG4bKmm', cseq_method='INVITE'),
            sip('OPTIONS %s SIP/2.0' % ME, ['Via: SIP/2.0/UDP 127.0.0.2',
                                             'To: <%s>' % ME,
                                             'From: <sip:a@b>;tag=1',
                                             'Call-ID: nmf', 'CSeq: 1 OPTIONS']),
            sip('SIP/2.0 200 OK', ['Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKno',
                                   'To: <sip:a@b>', 'From: <sip:c@d>;tag=1',
                                   'Call-ID: nt', 'CSeq: 1 OPTIONS'])))

    # registration: the REGISTER the agent sends first (mode bit 2)
    reg_hdr = ['Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKedc1cd6969986c34787fd0c0;rport=5060;received=127.0.0.1',
               'From: "Port 1" <sip:1001@127.0.0.2>;tag=7d556bc86d9a9c82',
               'To: "Port 1" <sip:1001@127.0.0.2>;tag=as1',
               'Call-ID: 0b02e536a14ed61ab049b856add63ffc',
               'CSeq: 1 REGISTER']
    reg2_hdr = [h.replace('z9hG4bKedc1cd6969986c34787fd0c0', REG2_BRANCH)
                .replace('CSeq: 1', 'CSeq: 2') for h in reg_hdr]
    chal = 'WWW-Authenticate: Digest realm="asterisk", nonce="5f2b1a3c", qop="auth", algorithm=MD5'
    put('sip', 'udp-register-401-200',
        udp(0x05, sip('SIP/2.0 401 Unauthorized', reg_hdr + [chal]),
            sip('SIP/2.0 200 OK', reg2_hdr + [
                'Contact: <sip:1001@127.0.0.1:5060>;expires=120',
                'Expires: 120'])))
    put('sip', 'udp-register-407-sha256-stale',
        udp(0x05, sip('SIP/2.0 407 Proxy Authentication Required', reg_hdr + [
            'Proxy-Authenticate: Digest realm="sip.example.net", nonce="abc123==", opaque="x\\"y", algorithm=SHA-256, qop="auth-int,auth", stale=TRUE']),
            sip('SIP/2.0 401 Unauthorized', reg2_hdr + [chal])))
    put('sip', 'udp-register-423-403',
        udp(0x05, sip('SIP/2.0 100 Trying', reg_hdr),
            sip('SIP/2.0 423 Interval Too Brief', reg_hdr + ['Min-Expires: 7200']),
            sip('SIP/2.0 403 Forbidden', reg_hdr)))
    put('sip', 'tcp-register-401',
        tcp(0x07, sip('SIP/2.0 401 Unauthorized',
                      [h.replace('UDP', 'TCP') for h in reg_hdr] + [chal])))

    # our outgoing call (mode bit 3): provisional, early media, 2xx
    inv_hdr = ['Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK6d86a02e633279d2fa78fb9c;rport=5060;received=127.0.0.1',
               'From: "Port 1" <sip:1001@127.0.0.2>;tag=73e7260c564894e0',
               'To: <sip:5551234@127.0.0.2>',
               'Call-ID: 2f9ac4ed41a81ee038492a4efd2a1030',
               'CSeq: 9384 INVITE']
    tagged = [h + ';tag=b0b' if h.startswith('To:') else h for h in inv_hdr]
    put('sip', 'udp-outgoing-180-183-200',
        udp(0x0d, sip('SIP/2.0 100 Trying', inv_hdr),
            sip('SIP/2.0 180 Ringing', tagged + ['Contact: <sip:5551234@127.0.0.2>']),
            sip('SIP/2.0 183 Session Progress', tagged + [
                'Contact: <sip:5551234@127.0.0.2>'], SDP_ANSWER, 'application/sdp'),
            sip('SIP/2.0 200 OK', tagged + [
                'Record-Route: <sip:127.0.0.3;lr>, <sip:127.0.0.2;lr;transport=udp>',
                'Contact: "Bob" <sip:5551234@127.0.0.2:5062;transport=udp>'],
                SDP_ANSWER, 'application/sdp'),
            sip('SIP/2.0 200 OK', tagged + ['Contact: <sip:5551234@127.0.0.2:5062>'],
                SDP_ANSWER, 'application/sdp'),
            req('BYE', 1, 'z9hG4bKrbye', totag='73e7260c564894e0',
                cid='2f9ac4ed41a81ee038492a4efd2a1030', ftag='b0b')))
    put('sip', 'udp-outgoing-407-486',
        udp(0x0d, sip('SIP/2.0 407 Proxy Authentication Required', tagged + [
            'Proxy-Authenticate: Digest realm="p", nonce="n1", algorithm=MD5-sess, qop=auth']),
            sip('SIP/2.0 486 Busy Here', tagged)))
    put('sip', 'udp-outgoing-200-no-sdp-no-contact',
        udp(0x0d, sip('SIP/2.0 200 OK', tagged)))

    # RFC 4475-style torture messages (written for fxsd, not copied)
    put('sip', 'torture-tortuous-invite', b'\x01' + (
        'INVITE sip:1001@127.0.0.1;user=phone;unknownparam SIP/2.0\r\n'
        'TO :\r\n sip:1001@127.0.0.1 ;   tag    = 1918181833n\r\n'
        'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@127.0.0.2>\r\n'
        '  ;\r\n  tag = 98asjd8\r\n'
        'MaX-fOrWaRdS: 0068\r\n'
        'Call-ID: wsinv.ndaksdj@192.0.2.1\r\n'
        'Content-Length   : 150\r\n'
        'cseq: 0009\r\n  INVITE\r\n'
        'Via  : SIP  /   2.0\r\n /UDP\r\n    127.0.0.2;branch=390skdjuw\r\n'
        's :\r\n'
        'NewFangledHeader:   newfangled value\r\n continued newfangled value\r\n'
        'UnknownHeaderWithUnusualValue: ;;,,;;,;\r\n'
        'Content-Type: application/sdp\r\n'
        'Route:\r\n <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\r\n'
        'v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n'
        '  branch  =   z9hG4bK9ikj8  ,\r\n'
        ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n'
        ' z9hG4bK30239\r\n'
        'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =\r\n'
        '      newvalue ;\r\n  secondparam ; q = 0.33\r\n\r\n'
        'v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.3\r\ns=-\r\n'
        'c=IN IP4 192.0.2.4\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\n'
        'm=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n').encode())
    put('sip', 'torture-escapes-and-nul', udp(0x01,
        req('OPTIONS', 1, 'z9hG4bKesc', ruri='sip:sips%3Auser%40example.com@127.0.0.1;other-param=summit',
            extra=('Contact: <sip:%61lice@127.0.0.2;%74ransport=udp>',)),
        req('OPTIONS', 2, 'z9hG4bKnul', ruri='sip:null-%00-null@127.0.0.1'),
        req('INVITE', 3, 'z9hG4bKlws', body=SDP_OFFER, ctype='application/sdp',
            extra=('Contact: caller<sip:caller@127.0.0.2>;q=0.1',))))
    put('sip', 'torture-unknown-method-and-scheme', udp(0x01,
        sip('!interesting-Method0123456789_*+`.%indeed\'~ sip:1--3@127.0.0.1 SIP/2.0',
            ['Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-.!%66*_+`\'~',
             'To: "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f" <sip:1_unusual.URI~(to-be!sure)&isn\'t+it$/crazy?,/;;*@127.0.0.1>',
             'From: token1~` token2\'+_ token3*%!.- <sip:mundane@127.0.0.2>;fromParam\'\'~+*_!.-%="\xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82\xd0\xb0\xd1\x8e\xd1\x89\xd0\xb8\xd0\xb9";tag=_token~1\'+`*%!-.',
             'Call-ID: intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{',
             'CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed\'~',
             'Max-Forwards: 255',
             'extensionHeader-!.%*+_`\'~:\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb']),
        req('OPTIONS', 2, 'z9hG4bKsch', ruri='nobodyKnowsThisScheme:totallyopaquecontent'),
        req('OPTIONS', 3, 'z9hG4bKtel', ruri='tel:+1-555-1234;phone-context=x')))
    put('sip', 'torture-content-length', udp(0x01,
        req('INVITE', 1, 'z9hG4bKcl1', body=SDP_OFFER, ctype='application/sdp',
            extra=(CONTACT,)).replace(b'Content-Length: %d' % len(SDP_OFFER), b'Content-Length: 9999'),
        req('INVITE', 2, 'z9hG4bKcl2', body=SDP_OFFER, ctype='application/sdp',
            extra=(CONTACT,)).replace(b'Content-Length: %d' % len(SDP_OFFER), b'Content-Length: -999'),
        req('INFO', 3, 'z9hG4bKcl3', LTAG, body='Signal=1', ctype='application/dtmf-relay',
            extra=('Content-Length: 3',)),
        req('OPTIONS', 4, 'z9hG4bKcl4').replace(b'Content-Length: 0', b'Content-Length: 4294967296')))
    put('sip', 'torture-scalars', udp(0x01,
        req('REGISTER', 36893488147419103232, 'z9hG4bKsc', ruri='sip:127.0.0.1',
            extra=('Expires: 10000000000000000000', 'Contact: <sip:a@127.0.0.2>;expires=280297596632815')),
        req('OPTIONS', 1, 'z9hG4bKmf').replace(b'Max-Forwards: 70', b'Max-Forwards: 300'),
        req('INVITE', 4294967296, 'z9hG4bKbig', body=SDP_OFFER, ctype='application/sdp',
            extra=(CONTACT,))))
    put('sip', 'torture-two-messages-one-datagram', udp(0x01,
        req('OPTIONS', 1, 'z9hG4bKd1') + req('OPTIONS', 2, 'z9hG4bKd2')))
    put('sip', 'torture-responses-odd', udp(0x09,
        sip('SIP/2.0 200', inv_hdr),
        sip('SIP/2.0 180 =?utf-8?Q?\xe6\xb5\x8b\xe8\xaf\x95', tagged),
        sip('SIP/2.0 699 Undefined', tagged),
        sip('SIP/2.0 10 Short', tagged),
        sip('SIP/3.0 200 OK', tagged)))
    put('sip', 'torture-long-headers', udp(0x01,
        req('OPTIONS', 1, 'z9hG4bKlong', ruri='sip:' + 'a' * 600 + '@127.0.0.1',
            extra=['Via: SIP/2.0/UDP 127.0.0.%d;branch=z9hG4bK%d' % (i % 250 + 1, i)
                   for i in range(40)] + ['X-Long: ' + 'x' * 3000,
                                          'Record-Route: ' + ', '.join('<sip:127.0.0.%d;lr>' % i for i in range(1, 30))])))
    put('sip', 'torture-invite-bad-sdp', udp(0x01,
        req('INVITE', 1, 'z9hG4bKbs1', body='v=0\r\nm=audio 0 RTP/AVP 0\r\n',
            ctype='application/sdp', extra=(CONTACT,)),
        req('INVITE', 2, 'z9hG4bKbs2', cid='bs2', body='v=0\r\no=- 1 1 IN IP4 x\r\nc=IN IP4 127.0.0.2\r\nm=audio 4000 RTP/AVP 18\r\n',
            ctype='application/sdp', extra=(CONTACT,)),
        req('INVITE', 3, 'z9hG4bKbs3', cid='bs3', body='<?xml version="1.0"?><a/>',
            ctype='application/xml', extra=(CONTACT,))))
    put('sip', 'torture-garbage', b'\x01' + b'\x00\xff' * 20 + SEP +
        b'SIP/2.0 OPTIONS sip:x SIP/2.0\r\n\r\n' + SEP +
        b'INVITE sip:1001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP [::1]:5060;branch=z9hG4bKv6;received=::1\r\n'
        b'Max-Forwards: 70\r\nTo: <sip:1001@[::1]>\r\nFrom: <sip:x@[::1]>;tag=1\r\nCall-ID: v6\r\nCSeq: 1 INVITE\r\n'
        b'Contact: <sip:x@[::1]:5060>\r\nContent-Length: 0\r\n\r\n')


# learned with FUZZ_SIP_PRINT=1 on udp-register-401-200
REG2_BRANCH = 'z9hG4bK2f9ac4ed41a81ee038492a4e'


# ---- SDP ------------------------------------------------------------------

def sdp_seeds():
    put('sdp', 'offer-pcmu-pcma-te', SDP_OFFER)
    put('sdp', 'answer-pcma', SDP_ANSWER)
    put('sdp', 'dynamic-pt-pcma', lines('''v=0
o=- 1 2 IN IP4 198.51.100.1
s=call
c=IN IP4 198.51.100.1
t=0 0
m=audio 5004 RTP/AVP 96 97
a=rtpmap:96 pcma/8000
a=rtpmap:97 telephone-event/8000/1
a=ptime:30
a=sendonly'''))
    put('sdp', 'ipv6-media-level-c', lines('''v=0
o=- 1 1 IN IP6 2001:db8::1
s=-
t=0 0
m=video 5006 RTP/AVP 31
c=IN IP6 2001:db8::2
m=audio 5008 RTP/AVP 0
c=IN IP6 2001:db8::3
a=inactive'''))
    put('sdp', 'hold-zero-address', lines('''v=0
o=- 1 3 IN IP4 192.0.2.1
s=-
c=IN IP4 0.0.0.0
t=0 0
m=audio 4000 RTP/AVP 8 0
a=recvonly'''))
    put('sdp', 'no-supported-codec', 'v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 18 9\na=rtpmap:18 G729/8000\n')
    put('sdp', 'port-zero-then-audio', lines('''v=0
o=- 1 1 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 0 RTP/AVP 0
m=audio 6000/2 RTP/SAVP 0 101
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16'''))
    put('sdp', 'srtp-savp', lines('''v=0
o=- 1 1 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 4000 RTP/SAVP 0 8 101
a=rtpmap:101 telephone-event/8000
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4
a=crypto:2 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==
a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31'''))
    put('sdp', 'srtp-best-effort', lines('''v=0
o=- 1 1 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 4000 RTP/AVP 0
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz
a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:====
a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz KDR=1'''))
    put('sdp', 'missing-c', 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n')
    put('sdp', 'garbage-lines', 'v=0\r\nx\r\n=\r\nc=IN IP4 999.1.1.1\r\nm=audio 70000 RTP/AVP 300 -1 0\r\na=rtpmap:0\r\na=ptime:0\r\n')
    put('sdp', 't38-reinvite', lines('''v=0
o=- 1 2 IN IP4 198.51.100.7
s=-
c=IN IP4 198.51.100.7
t=0 0
m=image 4002 UDPTL t38
a=T38FaxVersion:1
a=T38maxBitRate:9600
a=T38FaxFillBitRemoval
a=T38FaxRateManagement:transferredTCF
a=T38FaxMaxBuffer:262
a=T38FaxMaxDatagram:176
a=T38FaxUdpEC:t38UDPFEC'''))
    put('sdp', 't38-audio-and-image', lines('''v=0
o=- 1 2 IN IP6 2001:db8::9
s=-
c=IN IP6 2001:db8::9
t=0 0
m=audio 4000 RTP/AVP 0 8
m=image 0 udptl t38
m=image 4004 udptl t38
a=T38FaxVersion:7
a=T38MaxBitRate:33600
a=T38FaxRateManagement:localTCF
a=T38FaxUdpEC:t38UDPRedundancy
a=T38FaxTranscodingMMR:0
a=sendonly'''))


# ---- digest ---------------------------------------------------------------

def digest_seeds():
    for name, v in [
        ('md5-no-qop', 'Digest realm="asterisk", nonce="5f2b1a3c"'),
        ('md5-qop-auth', 'Digest realm="sip.example.net", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop="auth,auth-int", opaque="5ccc069c403ebaf9f0171e9517f40e41"'),
        ('sha256-sess-stale', 'digest realm="biloxi.com",qop=auth,algorithm=SHA-256-sess,nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",stale=true'),
        ('no-scheme-tokens', 'realm=tokenrealm, nonce=abc, algorithm=md5'),
        ('escaped-realm', 'Digest realm="a\\"b\\\\c", nonce="n", domain="sip:x sip:y"'),
        ('auth-int-only', 'Digest realm="r", nonce="n", qop="auth-int"'),
        ('unknown-algorithm', 'Digest realm="r", nonce="n", algorithm=SHA-512-256'),
        ('basic', 'Basic realm="r"'),
        ('duplicate', 'Digest realm="r", realm="s", nonce="n"'),
        ('empty-nonce', 'Digest realm="r", nonce=""'),
        ('long-nonce', 'Digest realm="r", nonce="' + 'n' * 300 + '"'),
        ('userhash', 'Digest realm="r", nonce="n", charset=UTF-8, userhash=true'),
    ]:
        put('digest', name, v)


# ---- RTP / RTCP -----------------------------------------------------------

def rtp_pkt(pt, seq, ts, ssrc=0x11223344, payload=b'\xff' * 160, marker=0,
            cc=0, ext=None, pad=0):
    b0 = 0x80 | (0x20 if pad else 0) | (0x10 if ext is not None else 0) | cc
    p = struct.pack('!BBHII', b0, (marker << 7) | pt, seq, ts, ssrc)
    p += b'\x00\x00\x00\x01' * cc
    if ext is not None:
        p += struct.pack('!HH', 0xbede, len(ext) // 4) + ext
    p += payload
    if pad:
        p += b'\x00' * (pad - 1) + bytes([pad])
    return p


def rec(flags, data):
    return bytes([flags]) + struct.pack('!H', len(data)) + data


def te(event, end, dur):
    return struct.pack('!BBH', event, (0x80 if end else 0) | 10, dur)


def rtcp_sr(ssrc=0x11223344, blocks=1, about=0):
    rb = b''.join(struct.pack('!IBBHIIII', about, 5, 0, 7, 1000, 20, 0, 0)
                  for _ in range(blocks))
    sr = struct.pack('!BBHIIIIII', 0x80 | blocks, 200, (28 + len(rb)) // 4 - 1,
                     ssrc, 0xe0000000, 0x10000000, 1234, 10, 1600) + rb
    sdes = struct.pack('!BBHIBB', 0x81, 202, 2, ssrc, 1, 2) + b'ab'
    return sr + sdes


def rtp_seeds():
    audio = b''.join(rec(4, rtp_pkt(0, 100 + i, 1000 + 160 * i)) for i in range(6))
    put('rtp', 'pcmu-jitter-buffer', b'\x00' + audio)
    put('rtp', 'pcma-callback', b'\x03' + b''.join(
        rec(0, rtp_pkt(8, 7 + i, 160 * i, payload=b'\xd5' * 80)) for i in range(4)))
    put('rtp', 'reordered-lost-dup', b'\x00' + b''.join(
        rec(4, rtp_pkt(0, s, 160 * s)) for s in (1, 3, 2, 2, 7, 6, 65535, 0)))
    put('rtp', 'telephone-event-digit', b'\x00' + rec(0, rtp_pkt(0, 1, 0)) + b''.join(
        rec(0, rtp_pkt(101, 2 + i, 160, payload=te(5, i >= 3, 160 * min(i + 1, 4)), marker=i == 0))
        for i in range(6)) + rec(4, rtp_pkt(0, 9, 1280)))
    put('rtp', 'telephone-event-lost-start', b'\x01' + b''.join(
        rec(0, rtp_pkt(101, 20 + i, 8000, payload=te(11, True, 800))) for i in range(3)) +
        rec(0, rtp_pkt(101, 30, 16000, payload=te(16, False, 160))) +
        rec(0, rtp_pkt(101, 31, 24000, payload=te(1, False, 160))))
    put('rtp', 'header-csrc-ext-padding', b'\x00' + rec(0, rtp_pkt(0, 1, 0, cc=2, ext=b'\x10\x00\x00\x00', pad=4)) +
        rec(0, rtp_pkt(0, 2, 160, payload=b'')) + rec(0, b'\x80\x00') +
        rec(0, rtp_pkt(0, 3, 320, pad=200)) + rec(0, b'\x40' + b'\x00' * 20))
    put('rtp', 'other-source-new-ssrc', b'\x00' + rec(2, rtp_pkt(0, 1, 0)) + rec(0, rtp_pkt(0, 2, 160)) +
        rec(2, rtp_pkt(0, 50, 8000, ssrc=0x55)) + rec(4, rtp_pkt(0, 51, 8160, ssrc=0x55)))
    put('rtp', 'rtcp-sr-rr-sdes', b'\x00' + rec(8, rtp_pkt(0, 1, 0)) + rec(1, rtcp_sr()) +
        rec(1, struct.pack('!BBHI', 0x80, 201, 1, 0x11223344)) +
        rec(1, rtcp_sr(blocks=2)) + rec(9, b'\x80\xc9\x00\x07' + b'\x00' * 28) +
        rec(1, b'\x81\xca\x00\x01\x00\x00\x00\x00'))
    put('rtp', 'oversize', b'\x00' + rec(0, rtp_pkt(0, 1, 0, payload=b'\x7f' * 1600)))
    # SRTP (mode bit 2; suites 0, 1, 2 in bits 3-4): protected by the
    # remote's key (flags bit 4), then a replay, then one not protected
    for suite in range(3):
        put('rtp', 'srtp-suite%d' % suite, bytes([4 | suite << 3]) + b''.join(
            rec(16 | 4, rtp_pkt(0, 10 + i, 160 * i)) for i in range(4)) +
            rec(16 | 1, struct.pack('!BBHI', 0x80, 201, 1, 0x11223344)) +
            rec(16, rtp_pkt(0, 11, 160)) + rec(4, rtp_pkt(0, 20, 1600)))


def rfc4733_seeds():
    def r(ts, flags, payload):
        return struct.pack('!I', ts) + bytes([flags | (len(payload) << 2)]) + (payload + b'\x00' * 4)[:4]
    seq = [r(160, 1, te(1, False, 160)), r(160, 0, te(1, False, 320)), r(160, 0, te(1, True, 480)),
           r(160, 0, te(1, True, 480)), r(160, 0, te(1, True, 480)), r(960, 1, te(11, False, 160)),
           r(960, 2, te(11, False, 320))]
    put('rfc4733', 'digit-then-flush', b''.join(seq))
    put('rfc4733', 'lost-end-new-timestamp', r(0, 1, te(2, False, 160)) + r(1600, 1, te(3, False, 160)) + r(1600, 0, te(3, True, 400)))
    put('rfc4733', 'end-only-and-old', r(8000, 0, te(0, True, 800)) + r(4000, 0, te(9, False, 160)) + r(8000, 0, te(0, True, 800)))
    put('rfc4733', 'short-and-flash', r(0, 0, b'\x01\x02') + r(10, 0, te(16, False, 100)) + r(10, 0, te(16, True, 200)))


# ---- the rest -------------------------------------------------------------

def info_seeds():
    for name, v in [
        ('relay-crlf', b'\x00Signal=5\r\nDuration=160\r\n'),
        ('relay-lf-spaces', b'\x00 signal = 10 \n duration=  250\n'),
        ('relay-hash', b'\x00Signal=11\r\n'),
        ('relay-letter-extra-key', b'\x00Signal=D\r\nVolume=10\r\n'),
        ('relay-twice', b'\x00Signal=1\r\nSignal=2\r\n'),
        ('relay-long-duration', b'\x00Signal=1\r\nDuration=600001\r\n'),
        ('relay-no-equals', b'\x00Signal\r\n'),
        ('dtmf-digit', b'\x01 *\r\n'),
        ('dtmf-two', b'\x0112'),
        ('dtmf-empty', b'\x01'),
    ]:
        put('info', name, v)


def config_seeds():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(os.path.dirname(here))
    for src, name in [('systemd/fxsd.conf.example', 'example'),
                      ('tests/daemon/config/good.conf', 'good'),
                      ('tests/daemon/config/minimal.conf', 'minimal'),
                      ('tests/daemon/config/crlf.conf', 'crlf'),
                      ('tests/daemon/config/bad-unknown-key.conf', 'bad-unknown-key')]:
        with open(os.path.join(top, src), 'rb') as f:
            put('config', name, f.read())
    put('config', 'quotes-and-escapes', '[port 3]\nuser = "a\\"b"\ndomain = \'x\'\npassword = "unterminated\n')
    put('config', 'nul-and-odd-headers', b'[global]\x00\n[port -1]\n[port 99999999999]\n[]\nkey\n= v\nuser = 1\n')
    put('config', 'metrics-v6', '[global]\n[metrics]\nlisten = "[::1]:9108"\n[port 0]\nuser=1\ndomain=x\n')
    put('config', 'provisioning', '[provisioning]\nurl = "https://u:p@prov.example/{mac}-{{x}}.conf"\n'
        'ca_file = /etc/ca.pem\nresync_interval = 0\nretry_min = 5\nretry_max = 5\n'
        'state_dir = /var/lib/x\n[port 0]\nuser=1\ndomain=x\n')


def digitmap_seeds():
    for name, v in [
        ('nanp', '{ [2-9]xxxxxx | 1[2-9]xxxxxxxxx | 911 | *xx | x.T }\x0018005551234'),
        ('substitutions', '<:1617>xxxxxxx | <011:>x. | <9:>x.T\x00011441234567#'),
        ('star-codes', '{ *[67]x | #x# | [1-3579*]x }\x00*72'),
        ('empty-alt', '{ 0 | | 00 }\x00000'),
        ('bad-unclosed', '[2-9'),
        ('bad-range', '[9-2]x'),
        ('nested', '{{x}}'),
    ]:
        put('digitmap', name, v)


def callerid_seeds():
    def cid(mode, when, nr, mr, number, name):
        return bytes([mode]) + struct.pack('<q', when) + bytes([nr, mr]) + \
            (number + b'\x00' * 32)[:32] + (name + b'\x00' * 64)[:64]
    put('callerid', 'bell-mdmf', cid(2, 1700000000, 0, 0, b'5551234567', b'ALICE SMITH'))
    put('callerid', 'bell-sdmf', cid(0, 1700000000, 0, 0, b'5551234567', b''))
    put('callerid', 'etsi-private', cid(1, 1700000000, ord('P'), ord('P'), b'', b''))
    put('callerid', 'etsi-no-time-long-name', cid(5, 0, 0, 0, b'+441234567890', b'A' * 60))
    put('callerid', 'unterminated-number', cid(2, 0, 0, 0, b'1' * 32, b'x'))
    put('callerid', 'non-printable', cid(2, 0, 0, 0, b'12\x0734', b'\xc3\xa9t\xc3\xa9'))
    put('callerid', 'far-future', cid(3, 0x7fffffffffffffff, 0, 0, b'1', b'2'))


def srv_seeds():
    def name(n):
        return b''.join(bytes([len(p)]) + p.encode() for p in n.split('.') if p) + b'\x00'
    q = name('_sip._udp.example.net') + struct.pack('!HH', 33, 1)

    def srv(prio, weight, port, target, owner=b'\xc0\x0c'):
        rd = struct.pack('!HHH', prio, weight, port) + target
        return owner + struct.pack('!HHIH', 33, 1, 300, len(rd)) + rd

    def msg(rcode, answers, ancount=None):
        return struct.pack('!HHHHHH', 0x1234, 0x8180 | rcode, 1,
                           len(answers) if ancount is None else ancount, 0, 0) + q + b''.join(answers)
    put('srv', 'two-targets', msg(0, [srv(10, 60, 5060, name('sip1.example.net')),
                                      srv(10, 20, 5062, name('sip2.example.net'))]))
    put('srv', 'compressed-target', msg(0, [srv(5, 0, 5070, b'\x04sip3\xc0\x16')]))
    put('srv', 'dot-target', msg(0, [srv(0, 0, 5060, b'\x00')]))
    put('srv', 'nxdomain', msg(3, []))
    put('srv', 'pointer-loop', msg(0, [srv(1, 1, 5060, b'\xc0\x2d')]))
    put('srv', 'count-lies', msg(0, [srv(1, 1, 5060, name('a.b'))], ancount=9))
    put('srv', 'cname-then-srv', msg(0, [b'\xc0\x0c' + struct.pack('!HHIH', 5, 1, 60, 4) + b'\x01x\xc0\x10',
                                        srv(1, 1, 0, name('zero.port')), srv(2, 1, 5080, name('ok.example'))]))

    def cstr(b):
        return bytes([len(b)]) + b

    def naptr(order, pref, flags, service, regexp, repl):
        rd = struct.pack('!HH', order, pref) + cstr(flags) + cstr(service) + cstr(regexp) + repl
        return b'\xc0\x0c' + struct.pack('!HHIH', 35, 1, 120, len(rd)) + rd
    put('srv', 'naptr-three-services', msg(0, [
        naptr(10, 20, b's', b'SIP+D2T', b'', name('_sip._tcp.example.net')),
        naptr(10, 10, b'S', b'SIP+D2U', b'', name('_sip._udp.example.net')),
        naptr(5, 50, b's', b'SIPS+D2T', b'', name('_sips._tcp.example.net'))]))
    put('srv', 'naptr-unknown-and-regexp', msg(0, [
        naptr(1, 1, b'u', b'E2U+sip', b'!^.*$!sip:a@b!', b'\x00'),
        naptr(2, 1, b's', b'SIP+D2U', b'', b'\x04sip4\xc0\x16')]))
    put('srv', 'naptr-string-overrun', msg(0, [
        b'\xc0\x0c' + struct.pack('!HHIH', 35, 1, 120, 8) + struct.pack('!HH', 1, 1) + b'\x01s\x09SIP']))
    put('srv', 'weights-many', msg(0, [srv(1, w, 5060 + w % 1000, name('w%d.example.net' % w)) for w in (0, 0, 1, 65535, 7, 0)]))


# ---- message-summary (RFC 3842) -------------------------------------------

def mwi_seeds():
    put('mwi', 'rfc3842', lines('''Messages-Waiting: yes
Message-Account: sip:alice@vmail.example.com
Voice-Message: 2/8 (0/2)'''))
    put('mwi', 'no-messages', 'Messages-Waiting: no\n')
    put('mwi', 'all-classes', lines('''Messages-Waiting: yes
Voice-Message: 4/8 (1/2)
Fax-Message: 0/1
Pager-Message: 1/0
Multimedia-Message: 0/0 (0/0)
Text-Message: 9/9
None: 0/0

To: <sip:alice@example.com>
Date: Thu, 3 Dec 2026 17:00:00 GMT'''))
    put('mwi', 'bad-status', lines('''Messages-Waiting: perhaps
Voice-Message: 1/2'''))
    put('mwi', 'bad-counts', lines('''Messages-Waiting: yes
Voice-Message: 1000000/2 (3/'''))
    put('mwi', 'duplicate-class', lines('''Messages-Waiting: yes
Voice-Message: 1/2
voice-message: 3/4'''))


# ---- transfer: sipfrag, Refer-To, Replaces ---------------------------------

def sipfrag_seeds():
    put('sipfrag', 'frag-trying', b'\x00SIP/2.0 100 Trying\r\n')
    put('sipfrag', 'frag-ok-headers', b'\x00SIP/2.0 200 OK\r\nContact: <sip:c@x>\r\n\r\n')
    put('sipfrag', 'frag-bad', b'\x00SIP/2.0 2x0 Nope')
    put('sipfrag', 'refer-to-replaces',
        b'\x01<sips:bob@bobster.example.org?Replaces=12345%40192.168.118.3'
        b'%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>')
    put('sipfrag', 'refer-to-display', b'\x01"Bob" <sip:1234@pbx.example;user=phone>;x=1')
    put('sipfrag', 'refer-to-bare', b'\x01tel:+15551234;isub=1')
    put('sipfrag', 'refer-to-bad-escape', b'\x01<sip:a@b?Replaces=x%0d%0a&Replaces=y>')
    put('sipfrag', 'replaces', b'\x02 98732@sip.example.com ; from-tag = r33th4x0r ;early-only;to-tag=ff87ff')
    put('sipfrag', 'replaces-missing-tag', b'\x02abc;to-tag=1')
    put('sipfrag', 'escape', b'\x03a1b2@10.0.0.1\x00t=;&?\x00f%1')


def metrics_seeds():
    # the first byte: how many bytes each recv() brings (1 + b % 64)
    prom = ('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9108\r\n'
            'User-Agent: Prometheus/2.42.0\r\n'
            'Accept: application/openmetrics-text;version=1.0.0,'
            'application/openmetrics-text;version=0.0.1;q=0.75,'
            'text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n'
            'Accept-Encoding: gzip\r\n'
            'X-Prometheus-Scrape-Timeout-Seconds: 1\r\n\r\n')
    put('metrics', 'prometheus', b'\x3f' + prom.encode())
    put('metrics', 'curl', b'\x00GET /metrics HTTP/1.1\r\nHost: x\r\n'
        b'User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n')
    put('metrics', 'head-lf', b'\x07HEAD /metrics?a=b HTTP/1.0\n\n')
    put('metrics', 'post-body', b'\x10POST /metrics HTTP/1.1\r\n'
        b'Content-Length: 3\r\n\r\nabc')
    put('metrics', 'not-found', b'\x05GET /metrics/../etc HTTP/1.1\r\n\r\n')
    put('metrics', 'http2-preface', b'\x20PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
    put('metrics', 'tls-hello', b'\x3f\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03')
    put('metrics', 'folded', b'\x02GET /metrics HTTP/1.1\r\nA: b\r\n c\r\n\r\n')
    put('metrics', 'long-header', b'\x3fGET /metrics HTTP/1.1\r\nX: ' + b'a' * 4200)


# ---- STUN Binding responses (RFC 5389) -------------------------------------

def stun_seeds():
    h = bytes.fromhex
    # RFC 5769 2.2 and 2.3 (XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT)
    put('stun', 'rfc5769-ipv4', h('0101003c2112a442b7e7a701bc34d686fa87dfae'
                                  '8022000b7465737420766563746f7220'
                                  '002000080001a147e112a643'
                                  '000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7'
                                  '80280004c07d4c96'))
    put('stun', 'rfc5769-ipv6', h('010100482112a442b7e7a701bc34d686fa87dfae'
                                  '8022000b7465737420766563746f7220'
                                  '002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9'
                                  '00080014a382954e4be67bf11784c97c8292c275bfe3ed41'
                                  '80280004c8fb0b4c'))
    # what coturn 4.6 and stund 0.97 answered on loopback
    put('stun', 'coturn', h('0101003c2112a442922f1fe8052b5cf43e7c3191'
                            '002000080001bc165e12a443'
                            '0001000800019d047f000001'
                            '802b0008000187dc7f000001'
                            '80220014436f7475726e2d342e362e312027476f72737427'))
    put('stun', 'stund', h('010100442112a442962f4350cdf6222abcaebfac'
                           '000100080001c5797f000001'
                           '00040008000187e67f000001'
                           '00050008000187e77f000002'
                           '002000080001e46b5e12a443'
                           '80220010566f766964612e6f726720302e393700'))
    put('stun', 'error-400', h('011100082112a442' + '01' * 12 + '0009000400000400'))
    put('stun', 'mapped-only', h('0101000c2112a442' + '02' * 12 + '000100080001138 8c6336407'.replace(' ', '')))
def profile_seeds():
    """fuzz_profile: header lines, URL templates, profiles over a base"""
    put('profile', 'etag', b'ETag: "5d8c72a5edda8d6a:0"\r\n')
    put('profile', 'last-modified', b'last-modified:  Wed, 21 Oct 2015 07:28:00 GMT\r\n')
    put('profile', 'status', b'HTTP/1.1 304 Not Modified\r\n')
    put('profile', 'url', b'https://u:p@prov.example:8443/ata/{mac}/{serial}-{port}.cfg?a={{b}}')
    put('profile', 'url-bad', b'https://h/{nope}/{mac')
    put('profile', 'overlay', b'[port 0]\nforward_no_answer_secs = 25\npassword = "s3cr#t"\n'
        b'[port 1]\nuser = 1001\ndomain = example.net\n[global]\ntone_country = UK\n')
    put('profile', 'overlay-bad', b'[port 0]\nexpires = 5\n')
    put('profile', 'overlay-provisioning', b'[provisioning]\nurl = https://evil/\n')
    put('profile', 'overlay-dup', b'[port 0]\nuser = 1\nuser = 2\n')


# ---- UDPTL (T.38 over UDP) --------------------------------------------------

def udptl_seeds():
    """fuzz_udptl: packets with redundancy, FEC, a stream ("%%%%" between)"""
    def pkt(seq, primary, secondary=()):
        b = struct.pack('>H', seq)
        b += bytes([len(primary)]) + primary + b'\x00' + bytes([len(secondary)])
        for s in secondary:
            b += bytes([len(s)]) + s
        return b
    cng = b'\x00\x01'              # t30-indicator CNG
    dis = b'\xc0\x00\x07\xff\xc0\x01\x80\x00'  # data v21, an HDLC frame
    put('udptl', 'primary-only', pkt(0, cng))
    put('udptl', 'redundancy-2', pkt(17, dis, (cng, b'\x00\x00')))
    put('udptl', 'fec', b'\x00\x05\x01\x11\x80\x01\x03\x02\x01\x22\x02\x33\x44')
    put('udptl', 'long-length', b'\x00\x07\x80\xc8' + b'\x5a' * 200 + b'\x00\x00')
    put('udptl', 'stream-loss', b'%%%%'.join([
        pkt(65534, cng), pkt(0, dis, (b'\x00\x03', cng)),
        pkt(0, dis), pkt(65000, cng), pkt(5, dis, (dis,) * 4)]))
    put('udptl', 'truncated', b'\x00\x01\x03\xaa')


if __name__ == '__main__':
    sip_seeds()
    sdp_seeds()
    digest_seeds()
    rtp_seeds()
    rfc4733_seeds()
    info_seeds()
    config_seeds()
    digitmap_seeds()
    callerid_seeds()
    srv_seeds()
    mwi_seeds()
    sipfrag_seeds()
    metrics_seeds()
    stun_seeds()
    profile_seeds()
    udptl_seeds()
